import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  DEFAULT_RANKING_OPTIONS,
  lowYearsRequired,
  rankSchools,
  type AssessmentRow,
  type SchoolRanking,
  type SocialPassportRow,
} from '../../../libs/domain/analytics';
import type { ParticipantWrite } from '../../../libs/contracts/task-record';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import { IMPORT_FILE_KINDS, parseAssessmentFile, parseSocialPassportFile, type ImportError, type ImportFileKind } from '../../../libs/import';
import {
  CycleParticipantRepository,
  CycleRepository,
  IdentificationImportRepository,
  TaskRepository,
  type CycleRow,
  type StoredIdentificationImport,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { CycleTaskService } from '../cycles/cycle-task.service';
import {
  mapImportSummary,
  mapParticipant,
  type ApprovalView,
  type ApproveListDto,
  type ImportSummaryView,
  type ParticipantView,
  type RankedSchoolView,
  type RankingView,
} from './identification.dto';
import { ImportRejectedException } from './import-rejected';
import { RegionDirectory, type RegionSchool } from './region-directory';
import { identificationImportDuration, timed } from '../../../libs/observability';

export type IdentificationFileKind = ImportFileKind;
export const IDENTIFICATION_FILE_KINDS = IMPORT_FILE_KINDS;

const KIND_TITLES: Record<IdentificationFileKind, string> = {
  results: 'результатов оценочных процедур',
  social: 'социальных паспортов школ',
};

/** The ranking looks at this many of the latest years the results file holds, unless `years` is asked for. */
export const DEFAULT_RANKING_YEARS = 3;

type StoredImport<T> = StoredIdentificationImport<T>;

/** «строка 5, столбец «Средний балл»: Не число: "abc"» — how an official finds the cell. */
export function describeImportError(error: ImportError): string {
  const where = [error.row > 0 ? `строка ${error.row}` : '', error.column ? `столбец «${error.column}»` : ''].filter(Boolean).join(', ');
  return where ? `${where}: ${error.message}` : error.message;
}

/**
 * Identification: the ministry imports the results and social-passport files, reads the ranking, and approves the
 * list of participant schools, which completes the cycle's approve_list task and starts the schools' tracks.
 */
@Injectable()
export class IdentificationService {
  constructor(
    private readonly cycles: CycleRepository,
    private readonly cycleParticipants: CycleParticipantRepository,
    private readonly imports: IdentificationImportRepository,
    private readonly tasks: TaskRepository,
    private readonly cycleTasks: CycleTaskService,
    private readonly directory: RegionDirectory,
    private readonly access: AccessPolicy,
  ) {}

  /** The cycle, if it is the user's region's (an auditor reads every region). */
  async requireCycle(user: AuthUser, cycleId: string, what: string): Promise<CycleRow> {
    const cycle = await this.cycles.findCycle(cycleId);
    if (!cycle) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    if (user.role !== 'auditor' && cycle.regionCode !== user.regionCode) {
      this.access.deny(user, 'Цикл другого региона недоступен', { action: what, cycleId });
    }
    return cycle;
  }

  async importFile(
    user: AuthUser,
    cycleId: string,
    kind: IdentificationFileKind,
    file: { content: Buffer; fileName: string },
  ): Promise<ImportSummaryView> {
    return timed(identificationImportDuration, { kind }, () => this.importCheckedFile(user, cycleId, kind, file));
  }

  private async importCheckedFile(
    user: AuthUser,
    cycleId: string,
    kind: IdentificationFileKind,
    file: { content: Buffer; fileName: string },
  ): Promise<ImportSummaryView> {
    const what = `загрузка файла ${KIND_TITLES[kind]}`;
    this.access.assertRole(user, ['ministry_admin', 'ministry_reviewer'], what);
    const cycle = await this.requireCycle(user, cycleId, what);
    if (!this.access.canActFor(user, cycle.ministryId)) {
      this.access.deny(user, 'Загружать файлы идентификации может только министерство, запустившее цикл', { action: what, cycleId });
    }
    if (cycle.listApprovedAt) {
      throw new ConflictException('Список школ цикла уже утверждён: новые файлы идентификации на него не повлияют');
    }

    const knownSchoolCodes = new Set(
      (await this.directory.schools(cycle.regionCode)).map((s) => s.code).filter((c): c is string => c !== null),
    );
    const options = { knownSchoolCodes, regionCode: cycle.regionCode };
    const parsed =
      kind === 'results'
        ? await parseAssessmentFile(file.content, file.fileName, options)
        : await parseSocialPassportFile(file.content, file.fileName, options);
    const errors = [...parsed.errors];
    if (errors.length > 0) {
      errors.sort((a, b) => a.row - b.row);
      throw new ImportRejectedException(
        `Файл «${file.fileName}» не загружен: ошибок — ${errors.length}. Исправьте их и загрузите файл целиком заново`,
        errors.map(describeImportError),
        errors,
      );
    }
    if (parsed.rows.length === 0) {
      throw new ImportRejectedException(`В файле «${file.fileName}» нет строк с данными`, [], []);
    }

    const sha256 = createHash('sha256').update(file.content).digest('hex');
    const summary = await this.imports.insert(
      { cycleId: cycle.id, kind, fileName: file.fileName, sha256, rows: parsed.rows, importedBy: user.email },
      (stored) => ({
        subjectType: 'identification_import',
        subjectId: stored.id,
        type: 'identification_file_imported',
        actor: user.email,
        occurredAt: new Date(),
        data: { kind, fileName: file.fileName, sha256, rowCount: parsed.rows.length },
        cycleId: cycle.id,
        organizationIds: [cycle.ministryId],
      }),
    );
    return mapImportSummary(summary);
  }

  async ranking(user: AuthUser, cycleId: string, years?: number[]): Promise<RankingView> {
    const cycle = await this.requireCycle(user, cycleId, 'рейтинг школ');
    return this.computeRanking(cycle, years);
  }

  /** rankSchools over the latest import of each kind; a newer import of a kind supersedes the older. */
  async computeRanking(cycle: CycleRow, requestedYears?: number[]): Promise<RankingView> {
    const results = await this.latestImport<AssessmentRow>(cycle.id, 'results');
    const social = await this.latestImport<SocialPassportRow>(cycle.id, 'social');
    if (!results && !social) {
      throw new UnprocessableEntityException('Файлы идентификации ещё не загружены: загрузите результаты и социальные паспорта школ');
    }
    const present = [...new Set((results?.rows ?? []).map((r) => r.year))].sort((a, b) => b - a);
    const years = requestedYears?.length ? [...new Set(requestedYears)].sort((a, b) => a - b) : present.slice(0, DEFAULT_RANKING_YEARS).reverse();
    if (!results || years.length === 0) {
      throw new UnprocessableEntityException('Нет результатов оценочных процедур: загрузите файл результатов');
    }
    const withData = years.filter((year) => present.includes(year));
    // Impossible only without a single year of results: with fewer years than the rule compares, «stably low» is
    // reduced to the years there are (lowYearsRequired), and the note and each school's reasons say so.
    if (withData.length === 0) {
      throw new UnprocessableEntityException(noResultsMessage(results.fileName, requestedYears?.length ? years : undefined));
    }
    const ranking = rankSchools({ results: results.rows, social: social?.rows ?? [], years });
    const required = lowYearsRequired(withData.length);
    const byCode = new Map((await this.directory.schools(cycle.regionCode)).filter((s) => s.code).map((s) => [s.code!, s]));
    return {
      cycleId: cycle.id,
      years,
      imports: { results: withoutRows(results), social: social ? withoutRows(social) : null },
      lowYearsRequired: required,
      ...(required < DEFAULT_RANKING_OPTIONS.minLowYears ? { note: fewYearsNote(withData, results.fileName) } : {}),
      items: ranking.map((r) => rankedSchool(r, byCode.get(r.schoolCode))),
    };
  }

  async approve(user: AuthUser, cycleId: string, dto: ApproveListDto): Promise<ApprovalView> {
    this.access.assertRole(user, ['ministry_admin'], 'утверждение списка школ');
    const cycle = await this.requireCycle(user, cycleId, 'утверждение списка школ');
    const taskId = await this.openApproveListTask(cycle.id);
    const task = await this.cycleTasks.requireActionable(user, taskId, ['approve_list']);
    const ranking = await this.computeRanking(cycle);

    const add = dto.add ?? [];
    const remove = dto.remove ?? [];
    assertNoDuplicates(add.map((a) => a.schoolId), 'add');
    assertNoDuplicates(remove.map((r) => r.schoolId), 'remove');
    const both = add.filter((a) => remove.some((r) => r.schoolId === a.schoolId));
    if (both.length > 0) {
      throw new UnprocessableEntityException(`Школа ${both[0].schoolId} указана и в add, и в remove`);
    }

    const proposed = ranking.items.filter((s) => s.category !== null && s.schoolId !== null);
    const proposedById = new Map(proposed.map((s) => [s.schoolId!, s]));
    const schools = new Map((await this.directory.schools(cycle.regionCode)).map((s) => [s.id, s]));
    const problems: string[] = [];
    for (const r of remove) {
      if (!proposedById.has(r.schoolId)) problems.push(`remove: школа ${r.schoolId} не входит в рассчитанный список`);
    }
    for (const a of add) {
      const school = schools.get(a.schoolId);
      if (!school) problems.push(`add: школа ${a.schoolId} не найдена среди школ региона`);
      else if (proposedById.has(a.schoolId)) problems.push(`add: школа «${school.name}» уже входит в рассчитанный список`);
      else if (!school.municipalityId) problems.push(`add: у школы «${school.name}» не указан муниципалитет`);
    }
    if (problems.length > 0) {
      throw new UnprocessableEntityException({ message: 'Изменения списка школ не приняты', details: problems });
    }

    const removed = new Map(remove.map((r) => [r.schoolId, r.reason]));
    const rankById = new Map(ranking.items.filter((s) => s.schoolId).map((s) => [s.schoolId!, s]));
    const rows = [
      ...proposed
        .filter((s) => !removed.has(s.schoolId!))
        .map((s) => participantRow(s.schoolId!, s.municipalityId!, s, true, null, user.email)),
      ...add.map((a) => participantRow(a.schoolId, schools.get(a.schoolId)!.municipalityId!, rankById.get(a.schoolId), true, a.reason, user.email)),
      ...proposed
        .filter((s) => removed.has(s.schoolId!))
        .map((s) => participantRow(s.schoolId!, s.municipalityId!, s, false, removed.get(s.schoolId!)!, user.email)),
    ];
    if (!rows.some((r) => r.included)) {
      throw new UnprocessableEntityException('Итоговый список школ пуст: утвердить пустой список нельзя');
    }
    const orphan = rows.find((r) => !r.municipalityId);
    if (orphan) throw new UnprocessableEntityException(`У школы ${orphan.schoolId} не указан муниципалитет`);

    // Stored with the task's completion by its projection (CycleTaskService.completeWith).
    await this.cycleTasks.completeWith(user, task, {
      result: dto.comment ? { comment: dto.comment } : {},
      writes: [{ kind: 'participants', cycleId: cycle.id, rows }],
      auditType: 'participants_list_approved',
      auditData: {
        years: ranking.years,
        resultsImportId: ranking.imports.results?.id ?? null,
        socialImportId: ranking.imports.social?.id ?? null,
        included: rows.filter((r) => r.included).map((r) => ({ schoolId: r.schoolId, category: r.category, rank: r.rank, manualReason: r.manualReason })),
        removed: remove.map((r) => ({ schoolId: r.schoolId, reason: r.reason })),
        added: add.map((a) => ({ schoolId: a.schoolId, reason: a.reason })),
        comment: dto.comment ?? null,
      },
    });
    const participants = await this.cycleParticipants.listParticipants(cycle.id);
    return { taskId, comment: dto.comment, included: participants.filter((p) => p.included).length, participants: participants.map(mapParticipant) };
  }

  /** Participants the user may see: the ministry, institute and auditors all; a municipality its schools; a school itself. */
  async participants(user: AuthUser, cycleId: string): Promise<ParticipantView[]> {
    const cycle = await this.requireCycle(user, cycleId, 'список школ цикла');
    const rows = await this.cycleParticipants.listParticipants(cycle.id);
    const readable = await this.access.readableOrganizationIds(user);
    if (readable === 'all') return rows.map(mapParticipant);
    const visible = new Set(readable);
    return rows.filter((r) => visible.has(r.schoolId)).map(mapParticipant);
  }

  async latestImport<T>(cycleId: string, kind: IdentificationFileKind): Promise<StoredImport<T> | null> {
    return this.imports.latest<T>(cycleId, kind);
  }

  private async openApproveListTask(cycleId: string): Promise<string> {
    const taskId = await this.tasks.firstOpenCycleTask(cycleId, 'approve_list');
    if (!taskId) {
      throw new ConflictException('Нет открытой задачи утверждения списка школ: список уже утверждён или этап идентификации ещё не начался');
    }
    return taskId;
  }

  /** Codes the region's directory does not know, each with the row and column where the official wrote it. */
}

/** No analysed year has results: nothing to rank by. */
export function noResultsMessage(fileName: string, requested?: number[]): string {
  const where = requested ? `за запрошенные годы (${requested.join(', ')}) в файле «${fileName}»` : `в файле «${fileName}»`;
  return `Для рейтинга нужны результаты хотя бы за один год, а ${where} результатов нет: загрузите файл результатов${
    requested ? ' или выберите другие годы в years' : ''
  }`;
}

/**
 * «Stably low» compares a school's years with each other (low in at least DEFAULT_RANKING_OPTIONS.minLowYears of
 * them); with fewer years of results it means low in every year there is. The ministry is told so above the list.
 */
export function fewYearsNote(withData: number[], fileName: string): string {
  const needed = countOf(DEFAULT_RANKING_OPTIONS.minLowYears, NOUNS.year);
  const what =
    withData.length === 1
      ? `результаты только за ${withData[0]} г.: «стабильно низкими» считаются школы в нижней части рейтинга этого года`
      : `результаты только за ${countOf(withData.length, NOUNS.year)} (${withData.join(', ')}): «стабильно низкими» считаются школы в нижней части рейтинга каждого из них`;
  return (
    `В файле «${fileName}» ${what}; устойчивость низких результатов по годам не проверена (для неё нужны результаты ` +
    `не менее чем за ${needed}). Загрузите результаты за несколько лет, чтобы рейтинг сравнивал годы`
  );
}

function withoutRows<T>(stored: StoredImport<T>): ImportSummaryView {
  return mapImportSummary(stored);
}

function rankedSchool(r: SchoolRanking, school: RegionSchool | undefined): RankedSchoolView {
  return {
    rank: r.rank,
    schoolId: school?.id ?? null,
    schoolCode: r.schoolCode,
    schoolName: school?.name ?? r.schoolName,
    municipalityId: school?.municipalityId ?? null,
    municipalityName: school?.municipalityName ?? null,
    category: r.category,
    stablyLow: r.stablyLow,
    disadvantaged: r.disadvantaged,
    averageScore: r.averageScore,
    socialIndex: r.socialIndex,
    lowYears: r.lowYears,
    yearlyScores: r.yearlyScores,
    reasons: r.reasons,
  };
}

function participantRow(
  schoolId: string,
  municipalityId: string,
  ranked: RankedSchoolView | undefined,
  included: boolean,
  manualReason: string | null,
  decidedBy: string,
): ParticipantWrite {
  return {
    schoolId,
    municipalityId,
    category: ranked?.category ?? null,
    rank: ranked?.rank ?? null,
    reasons: ranked?.reasons ?? [],
    included,
    manualReason,
    decidedBy,
  };
}

function assertNoDuplicates(ids: string[], field: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new UnprocessableEntityException(`Школа ${id} указана в ${field} дважды`);
    seen.add(id);
  }
}

/** '2022,2023,2024' → [2022, 2023, 2024]; 400 for anything else. */
export function parseYearsQuery(value: string | undefined): number[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const years = value.split(',').map((part) => part.trim());
  if (!years.every((y) => /^\d{4}$/.test(y))) {
    throw new BadRequestException({ message: 'Запрос содержит ошибки', details: ['years: годы через запятую, например 2022,2023,2024'] });
  }
  return years.map(Number);
}
