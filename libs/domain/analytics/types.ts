/**
 * The rows the identification works on, as the importer (libs/import) produces them from the officials' files.
 * Plain types: sandbox-safe, so a workflow may carry them.
 */

/** One school's result in one assessment of one year. */
export interface AssessmentRow {
  /** As written in the file, trimmed; text, so leading zeros survive ('000123'). */
  schoolCode: string;
  schoolName: string | null;
  /**
   * A calendar year as written (2024), or the starting year of an academic year written as «2023/2024» (→ 2023):
   * the same convention as the programme's academic year.
   */
  year: number;
  /**
   * The assessment, when the file has one: «Оценочная процедура», «Предмет» and «Класс» joined with ' / '
   * ('ВПР / математика / 5 класс'); null when the file has a single result per school and year.
   */
  subject: string | null;
  /** «Средний балл»: any scale (a mark of 2–5, a test score of 0–100); scores are compared within one assessment. */
  meanScore: number | null;
  /** «Доля неудовлетворительных результатов, %», 0–100. */
  failureShare: number | null;
}

/** One school's social passport: shares of pupils, 0–100; null when the cell was left empty. */
export interface SocialPassportRow {
  schoolCode: string;
  schoolName: string | null;
  /** «Доля обучающихся из семей, где оба родителя имеют высшее образование, %» — the more, the better off. */
  bothParentsHigherEducation: number | null;
  /** «Доля обучающихся из неполных семей, %» */
  singleParentFamilies: number | null;
  /** «Доля обучающихся из многодетных семей, %» */
  largeFamilies: number | null;
  /** «Доля обучающихся на «хорошо» и «отлично», %» — the more, the better off. */
  goodAndExcellent: number | null;
  /** «Доля обучающихся, состоящих на профилактическом учёте, %» */
  preventiveRegister: number | null;
}

export type SocialIndicatorKey =
  | 'bothParentsHigherEducation'
  | 'singleParentFamilies'
  | 'largeFamilies'
  | 'goodAndExcellent'
  | 'preventiveRegister';

export interface SocialIndicatorDefinition {
  key: SocialIndicatorKey;
  /** The column name of the passport form, as the ministry's template writes it. */
  title: string;
  /** For reasons: «доля обучающихся из неполных семей». */
  phrase: string;
  /** +1: a larger share means more disadvantage; −1: a larger share means less. */
  direction: 1 | -1;
  /** Weight in the social-disadvantage index; the weights sum to 1. */
  weight: number;
}

/**
 * The passport indicators and their weights in the index. Family background (parents' education, single-parent
 * and large families) is the strongest predictor of results in the literature behind «500+», so it carries 0.6 in
 * total; the pupils' own marks and the preventive register describe the school climate (0.4).
 */
export const SOCIAL_INDICATORS: readonly SocialIndicatorDefinition[] = [
  {
    key: 'bothParentsHigherEducation',
    title: 'Доля обучающихся из семей, где оба родителя имеют высшее образование, %',
    phrase: 'доля обучающихся из семей, где оба родителя имеют высшее образование',
    direction: -1,
    weight: 0.25,
  },
  {
    key: 'singleParentFamilies',
    title: 'Доля обучающихся из неполных семей, %',
    phrase: 'доля обучающихся из неполных семей',
    direction: 1,
    weight: 0.2,
  },
  {
    key: 'largeFamilies',
    title: 'Доля обучающихся из многодетных семей, %',
    phrase: 'доля обучающихся из многодетных семей',
    direction: 1,
    weight: 0.15,
  },
  {
    key: 'goodAndExcellent',
    title: 'Доля обучающихся на «хорошо» и «отлично», %',
    phrase: 'доля обучающихся на «хорошо» и «отлично»',
    direction: -1,
    weight: 0.2,
  },
  {
    key: 'preventiveRegister',
    title: 'Доля обучающихся, состоящих на профилактическом учёте, %',
    phrase: 'доля обучающихся, состоящих на профилактическом учёте',
    direction: 1,
    weight: 0.2,
  },
];
