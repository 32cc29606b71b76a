import type { CycleTemplate } from '../../libs/contracts/cycle-template';

/** A small but complete template: every stage kind, valid as it is; each test breaks one thing in a copy. */
export function minimalTemplate(): CycleTemplate {
  return {
    id: 'test-region',
    version: 1,
    title: 'Тестовый цикл',
    timeZone: 'Europe/Moscow',
    programme: { firstAcademicYear: 2026, years: 1 },
    legalActs: [{ id: 'order', title: 'Приказ министерства образования', number: '1234', date: '2026-08-12' }],
    forms: {
      plan: {
        title: 'План',
        fields: [
          {
            id: 'measures',
            title: 'Мероприятия',
            type: 'table',
            columns: [
              { id: 'measure', title: 'Мероприятие', type: 'text' },
              { id: 'deadline', title: 'Срок', type: 'date' },
              { id: 'responsible', title: 'Ответственный', type: 'text' },
              { id: 'expectedResult', title: 'Ожидаемый результат', type: 'text' },
            ],
          },
        ],
      },
      indicators: {
        title: 'Показатели',
        fields: [
          { id: 'qualityShare', title: 'Качество', type: 'percent' },
          { id: 'failingShare', title: 'Неуспевающие', type: 'percent', higherIsBetter: false },
          { id: 'comment', title: 'Комментарий', type: 'text' },
        ],
      },
      practice: { title: 'Практика', fields: [{ id: 'description', title: 'Описание', type: 'text' }] },
    },
    stages: [
      {
        id: 'identification',
        title: 'Идентификация',
        steps: [
          {
            id: 'school-list',
            title: 'Список школ',
            kind: 'identification',
            actor: 'ministry',
            deadline: { date: '2026-09-25' },
            legalBasis: { act: 'order', clause: '2.1' },
          },
        ],
      },
      {
        id: 'plans',
        title: 'Планы',
        dependsOn: ['identification'],
        steps: [
          {
            id: 'municipal-plan',
            title: 'Муниципальный план',
            kind: 'submission',
            actor: 'municipality',
            deadline: { date: '2026-10-23' },
            submission: { document: 'required', form: 'plan' },
            review: { by: 'ministry', maxRounds: 2, deadline: { days: 10 } },
          },
        ],
      },
      {
        id: 'partnership',
        title: 'Партнёрство',
        dependsOn: ['plans'],
        steps: [
          {
            id: 'pairs',
            title: 'Пары школ',
            kind: 'partnership',
            actor: 'municipality',
            deadline: { date: '2026-11-20' },
            partnership: { maxPartnersPerSchool: 2, confirmation: { days: 5 } },
          },
        ],
      },
      {
        id: 'monitoring',
        title: 'Мониторинг',
        dependsOn: ['partnership'],
        steps: [
          {
            id: 'report',
            title: 'Отчёт',
            kind: 'monitoring',
            actor: 'school',
            deadline: { lastWeekOf: '2027-06' },
            monitoring: { reporter: 'school', form: 'indicators' },
          },
        ],
      },
      {
        id: 'best-practices',
        title: 'Лучшие практики',
        dependsOn: ['monitoring'],
        steps: [
          {
            id: 'practice',
            title: 'Описание практики',
            kind: 'best_practice',
            actor: 'school',
            deadline: { date: '2027-08-27' },
            bestPractice: { indicator: 'qualityShare', top: 3, form: 'practice', review: { by: 'ministry', maxRounds: 1, deadline: { days: 10 } } },
          },
        ],
      },
    ],
  };
}

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
