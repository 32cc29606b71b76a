import { Injectable, Logger, NotFoundException, UnprocessableEntityException, type OnApplicationBootstrap } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CycleTemplate, ResolvedCyclePlan, TemplateProblem } from '../../../libs/contracts/cycle-template';
import {
  assertPlanWithinCalendar,
  dateOutsideCalendar,
  datesToBeSet,
  dryRun,
  programmeYearKind,
  programmeYearRu,
  resolveCyclePlan,
  TemplateInvalidError,
  timeZoneMismatch,
} from '../../../libs/domain/cycle-template';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, CalendarRangeError } from '../../../libs/domain/calendar';
import { DirectoryRepository, TemplateRepository, type TemplateVersionRow } from '../../../libs/persistence';
import { builtinRoadmapsDirectory, parseTemplate } from '../../../libs/templates';
import type { AuthUser } from '../auth/auth-user';
import {
  mapTemplateDetail,
  mapTemplateSummary,
  type DryRunView,
  type TemplateDetailView,
  type TemplateSummaryView,
  type TemplateUploadView,
} from './cycle.dto';

export class TemplateInvalidException extends UnprocessableEntityException {
  constructor(problems: TemplateProblem[]) {
    super({
      message: `Шаблон содержит ошибки (${problems.length}); цикл из него не запускается`,
      details: problems.map((p) => `${p.path || '/'}${p.line ? ` (строка ${p.line}${p.column ? `, позиция ${p.column}` : ''})` : ''}: ${p.message}`),
      problems,
    });
  }
}

/** Templates are versioned documents; the shipped roadmaps are loaded at boot as built-in versions. */
@Injectable()
export class TemplatesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(TemplatesService.name);

  constructor(
    private readonly templates: TemplateRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    let added = 0;
    for (const { text, format } of builtinSources()) {
      const { template, problems } = parseTemplate(text, format);
      if (!template) throw new Error(`a shipped template is invalid: ${JSON.stringify(problems.slice(0, 3))}`);
      if (await this.store(template, text, format, 'system', null)) added += 1;
    }
    if (added) this.logger.log(`stored ${added} shipped template version(s)`);
  }

  validate(source: string, format: 'yaml' | 'json'): { valid: boolean; problems: TemplateProblem[]; template?: CycleTemplate } {
    const { template, problems } = parseTemplate(source, format);
    return { valid: problems.length === 0, problems, template };
  }

  async upload(user: AuthUser, source: string, format: 'yaml' | 'json'): Promise<TemplateUploadView> {
    const { template, problems } = parseTemplate(source, format);
    if (!template) throw new TemplateInvalidException(problems);
    const latest = await this.templates.find(template.id);
    if (latest && latest.ownerRegionCode !== user.regionCode) {
      throw new UnprocessableEntityException(
        latest.ownerRegionCode === null
          ? `«${template.id}» — поставляемый шаблон; опубликуйте свою редакцию под другим идентификатором (id)`
          : `Шаблон «${template.id}» принадлежит другому региону; выберите другой идентификатор (id)`,
      );
    }
    const existing = await this.templates.find(template.id, template.version);
    if (existing) {
      if (existing.sha256 === sha256(source)) return { created: false, template: mapTemplateSummary(existing) };
      throw new UnprocessableEntityException(
        `Версия ${template.version} шаблона «${template.id}» уже существует и отличается; увеличьте version — запущенные циклы сохраняют свою версию`,
      );
    }
    if (latest && latest.version > template.version) {
      throw new UnprocessableEntityException(`Последняя версия шаблона «${template.id}» — ${latest.version}; новая должна быть больше`);
    }
    await this.store(template, source, format, user.email, user.regionCode);
    return { created: true, template: mapTemplateSummary(await this.require(user, template.id, template.version)) };
  }

  async list(user: AuthUser): Promise<TemplateSummaryView[]> {
    return (await this.templates.listLatest(user.role === 'auditor' ? 'all' : user.regionCode)).map(mapTemplateSummary);
  }

  async get(
    user: AuthUser,
    id: string,
    version?: number,
  ): Promise<TemplateDetailView> {
    const row = await this.require(user, id, version);
    const versions = (await this.templates.versions(id)).map((v) => v.version);
    return mapTemplateDetail(row, versions);
  }

  /** A template the user's region may use: a shipped one or its own (an auditor reads every one). */
  async require(user: AuthUser, id: string, version?: number): Promise<TemplateVersionRow> {
    const row = await this.templates.find(id, version);
    const visible = row && (row.ownerRegionCode === null || row.ownerRegionCode === user.regionCode || user.role === 'auditor');
    if (!visible) throw new NotFoundException(version ? `Версия ${version} шаблона «${id}» не найдена` : `Шаблон «${id}» не найден`);
    return row;
  }

  /**
   * The whole schedule before launch: every task, deadline, reminder and escalation, on working days. Without an
   * explicit list of organisations, the region's directory is used: every municipality and every school.
   */
  async dryRun(
    user: AuthUser,
    id: string,
    version: number | undefined,
    academicYear: number,
    organizations?: { municipalities: string[]; schools: { id: string; municipalityId: string }[] },
    adoptRegionTimeZone = false,
  ): Promise<DryRunView> {
    const row = await this.require(user, id, version);
    const ministry = await this.directory.findRegionMinistry(user.regionCode);
    if (!ministry) throw new UnprocessableEntityException(`В справочнике региона «${user.regionCode}» нет министерства`);
    const orgs = await this.directory.listOrganizations({ regionCode: user.regionCode });
    const institute = orgs.find((o) => o.kind === 'institute');
    const schools =
      organizations?.schools ??
      orgs.filter((o) => o.kind === 'school' && o.parentId).map((o) => ({ id: o.id, municipalityId: o.parentId as string }));
    const municipalities = organizations?.municipalities ?? [...new Set(schools.map((s) => s.municipalityId))];
    const plan = this.resolveWithinCalendar(row.document, academicYear, { code: ministry.regionCode, timeZone: ministry.timeZone, adoptRegionTimeZone });
    const region = { ministryId: ministry.id, instituteId: institute?.id, municipalities, schools };
    // As if launched now: a date already past, or too close, shows the deadline the run would give the task.
    const tasks = dryRun(plan, region, new Date());
    const datesToSet = datesToBeSet(plan, region);
    return { templateId: row.id, templateVersion: row.version, academicYear, timeZone: plan.timeZone, tasks, datesToSet };
  }

  /**
   * The plan for a year (academic, or calendar for a calendar-year template) in the region's zone, refused with the
   * first date outside the production calendar, and refused when the template's times were written for another
   * zone unless the request adopts the region's: the dry run and the launch accept and refuse the same plans.
   */
  resolveWithinCalendar(
    document: CycleTemplate,
    academicYear: number,
    region: { code: string; timeZone: string; adoptRegionTimeZone?: boolean },
  ): ResolvedCyclePlan {
    const year = (form: 'accusative' | 'dative') => programmeYearRu(programmeYearKind(document), academicYear, form);
    let plan: ResolvedCyclePlan;
    try {
      plan = resolveCyclePlan(document, { academicYear, ...(region.adoptRegionTimeZone ? { timeZone: region.timeZone } : {}) });
      assertPlanWithinCalendar(plan);
    } catch (err) {
      if (err instanceof CalendarRangeError) {
        const date = dateOutsideCalendar(err);
        throw new UnprocessableEntityException(
          `Сроки шаблона на ${year('accusative')} выходят за пределы производственного календаря ` +
            `(${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR} гг.)${date ? `: дата ${date}` : ''}`,
        );
      }
      if (err instanceof TemplateInvalidError) {
        // Valid as written, yet not for this year (an offset in working days past the calendar's last year, say).
        throw new UnprocessableEntityException({
          message: `Шаблон нельзя применить к ${year('dative')}`,
          details: err.problems.map((p) => `${p.path}: ${p.message}`),
        });
      }
      throw err;
    }
    // Converting the times would be wrong as often as right: «до 18:00» in a roadmap means the end of the working day
    // where the work is done. So a template from another zone is refused, naming both zones, unless the region adopts it.
    const mismatch = timeZoneMismatch(plan, region.timeZone);
    if (mismatch) {
      throw new UnprocessableEntityException(
        `Время в шаблоне «${document.id}» указано по часовому поясу ${mismatch.planZoneText}, а регион «${region.code}» ` +
          `живёт по часовому поясу ${mismatch.regionZoneText}: первый срок шаблона, ${mismatch.firstDeadline.written} ` +
          `по его времени, наступил бы у них в ${mismatch.firstDeadline.inRegion}. Опубликуйте редакцию шаблона с ` +
          `timeZone: ${mismatch.regionZone} или повторите запрос с adoptRegionTimeZone: true — тогда время в шаблоне ` +
          `читается как местное время региона (срок «18:00» — это 18:00 по ${mismatch.regionZone}).`,
      );
    }
    return plan;
  }

  /** `ownerRegionCode` null: a shipped roadmap. */
  private async store(template: CycleTemplate, source: string, format: 'yaml' | 'json', by: string, ownerRegionCode: string | null): Promise<boolean> {
    return this.templates.insert({
      id: template.id,
      version: template.version,
      title: template.title,
      sourceFormat: format,
      sourceText: source,
      document: template,
      sha256: sha256(source),
      builtin: ownerRegionCode === null,
      ownerRegionCode,
      createdBy: by,
    });
  }
}

/** The shipped roadmaps as their source text, so the stored version keeps the document exactly as written. */
function builtinSources(): { text: string; format: 'yaml' | 'json' }[] {
  const directory = builtinRoadmapsDirectory();
  return readdirSync(directory)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => ({ text: readFileSync(join(directory, name), 'utf8'), format: name.endsWith('.json') ? 'json' : 'yaml' }));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
