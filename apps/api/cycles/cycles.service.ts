import {
  ConflictException,
  HttpException,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AppConfig } from '../../../libs/config';
import {
  cancelCycleUpdate,
  CYCLE_WORKFLOW,
  cycleKey,
  cycleProgressQuery,
  cycleWorkflowId,
  extendStageUpdate,
  setStepDeadlineUpdate,
  pauseCycleUpdate,
  resumeCycleUpdate,
  type CycleInput,
  type CycleProgress,
} from '../../../libs/contracts/cycle';
import type { ResolvedCyclePlan } from '../../../libs/contracts/cycle-template';
import { endOfWorkingDay } from '../../../libs/domain/calendar';
import { compressPlan, programmeYearKind, programmeYearRu } from '../../../libs/domain/cycle-template';
import { parseLocalDateTime, resolveDeadline } from '../../../libs/domain/deadline';
import {
  CycleActionRequestRepository,
  CycleParticipantRepository,
  CycleRepository,
  DirectoryRepository,
  type CycleActionKind,
  type CycleActionRequestEntity,
  type CycleRow,
  type NotificationRecipient,
} from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';
import {
  CONFIRMING_ROLES,
  describeCycleAction,
  localDateTimeRu,
  mapCycleAction,
  type CancelPayload,
  type CycleActionView,
  type ExtendStagePayload,
  type LaunchPayload,
  type LaunchSummary,
} from '../cycle-actions/cycle-action.dto';
import { startCycleActionMail } from '../cycle-actions/cycle-action-mail';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { temporalOutageOr } from '../temporal/temporal-errors';
import {
  mapCycle,
  mapCycleLaunch,
  type CycleLaunchView,
  type CycleView,
  type ExtendStageDto,
  type LaunchCycleDto,
  type SetStepDeadlineDto,
} from './cycle.dto';
import { instanceKey, launchWave } from './launch-wave';
import { TemplatesService } from './templates.service';

/** How long a four-eyes request waits for a second person unless CYCLE_ACTION_TTL says otherwise. */
export const CYCLE_ACTION_TTL_SECONDS_DEFAULT = 72 * 3600;

/** Audit entries of the four-eyes requests (subject type 'cycle_action'); 'cycle_action_expired' is the repository's. */
export const CYCLE_ACTION_EVENTS = {
  requested: 'cycle_action_requested',
  confirmed: 'cycle_action_confirmed',
  failed: 'cycle_action_failed',
  refused: 'cycle_action_refused',
  withdrawn: 'cycle_action_withdrawn',
} as const;

type WorkflowHandle = ReturnType<TemporalGateway['client']['workflow']['getHandle']>;

interface NewRequest {
  kind: CycleActionKind;
  cycleId: string;
  targetKey: string;
  payload: LaunchPayload | CancelPayload | ExtendStagePayload;
  summary: LaunchSummary | null;
  reason: string | null;
}

/**
 * Launching a yearly cycle and the ministry's controls over it. Launching, cancelling and overriding a deadline for
 * everyone take four eyes: the administrator's call stores a request (202) that runs only when another person of the
 * ministry confirms it (CycleActionsService, which calls `execute`). Pause, resume and the first setting of a date the
 * roadmap left open act at once.
 */
@Injectable()
export class CyclesService {
  private readonly logger = new Logger(CyclesService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly cycles: CycleRepository,
    private readonly participants: CycleParticipantRepository,
    private readonly directory: DirectoryRepository,
    private readonly templates: TemplatesService,
    private readonly access: AccessPolicy,
    private readonly temporal: TemporalGateway,
    private readonly actions: CycleActionRequestRepository,
  ) {}

  /** Checks the launch as the launch itself would, then asks a second person to confirm it. */
  async launch(user: AuthUser, dto: LaunchCycleDto): Promise<CycleActionView> {
    this.access.assertRole(user, ['ministry_admin'], 'запуск цикла');
    const ministry = await this.directory.findOrganization(user.organizationId);
    if (!ministry || ministry.kind !== 'ministry') {
      this.access.deny(user, 'Запускать цикл может только администратор министерства своего региона', { action: 'launch_cycle' });
    }
    const template = await this.templates.require(user, dto.templateId, dto.templateVersion);
    this.templates.resolveWithinCalendar(template.document, dto.academicYear, {
      code: ministry.regionCode,
      timeZone: ministry.timeZone,
      adoptRegionTimeZone: dto.adoptRegionTimeZone,
    });
    if (dto.compression && !this.config.allowCompressedCalendar) {
      throw new UnprocessableEntityException('Сжатый календарь доступен только в тестовой среде (ALLOW_COMPRESSED_CALENDAR=true)');
    }
    const id = cycleKey(ministry.regionCode, dto.academicYear);
    const yearKind = programmeYearKind(template.document);
    const holder = await this.cycles.findCycle(id);
    if (holder) {
      throw new ConflictException(`Цикл региона на ${programmeYearRu(holder.plan.yearKind, dto.academicYear, 'accusative')} уже запущен (${id})`);
    }
    const dry = await this.templates.dryRun(user, template.id, template.version, dto.academicYear, undefined, dto.adoptRegionTimeZone);
    const dues = dry.tasks.map((t) => t.dueLocal).sort();
    const summary: LaunchSummary = {
      tasks: dry.tasks.length,
      organizations: new Set(dry.tasks.map((t) => t.organizationId)).size,
      stages: template.document.stages.length,
      firstDueLocal: dues[0] ?? null,
      lastDueLocal: dues[dues.length - 1] ?? null,
      datesToSet: new Set(dry.datesToSet.map((d) => d.stepKey)).size,
      timeZone: dry.timeZone,
    };
    const payload: LaunchPayload = {
      templateId: template.id,
      templateVersion: template.version,
      templateTitle: template.title,
      academicYear: dto.academicYear,
      programmeYear: programmeYearRu(yearKind, dto.academicYear, 'accusative'),
      ...(dto.adoptRegionTimeZone ? { adoptRegionTimeZone: true } : {}),
      ...(dto.compression ? { compression: { secondsPerDay: dto.compression.secondsPerDay } } : {}),
    };
    return this.request(user, ministry.id, { kind: 'launch', cycleId: id, targetKey: `launch:${id}`, payload, summary, reason: null });
  }

  async list(user: AuthUser): Promise<CycleView[]> {
    const rows = await this.cycles.listCycles(user.role === 'auditor' ? 'all' : [user.regionCode]);
    return rows.map((r) => mapCycle(r, r.progress));
  }

  async get(user: AuthUser, id: string): Promise<CycleView> {
    const row = await this.require(user, id);
    const progress = await this.liveProgress(row);
    const launch = await this.launchProgress(row, progress);
    return { ...mapCycle(row, progress), ...(launch ? { launch } : {}) };
  }

  async pause(user: AuthUser, id: string, reason: string): Promise<CycleView> {
    return this.control(user, id, 'приостановка цикла', (handle) => handle.executeUpdate(pauseCycleUpdate, { args: [{ by: user.email, reason }] }));
  }

  async resume(user: AuthUser, id: string, reason: string): Promise<CycleView> {
    return this.control(user, id, 'возобновление цикла', (handle) => handle.executeUpdate(resumeCycleUpdate, { args: [{ by: user.email, reason }] }));
  }

  /** Asks a second person to confirm the cancellation. */
  async cancel(user: AuthUser, id: string, reason: string): Promise<CycleActionView> {
    const row = await this.requireControllable(user, id, 'отмена цикла');
    await this.assertActive(row);
    return this.request(user, row.ministryId, { kind: 'cancel', cycleId: id, targetKey: `cancel:${id}`, payload: { reason }, summary: null, reason });
  }

  /** Checks the extension as the workflow will, then asks a second person to confirm it. */
  async extendStage(user: AuthUser, id: string, stageId: string, dto: ExtendStageDto): Promise<CycleActionView> {
    const row = await this.requireControllable(user, id, 'продление этапа');
    const progress = await this.assertActive(row);
    const stage = row.plan.stages.find((s) => s.id === stageId);
    if (!stage) throw new UnprocessableEntityException(`Этап «${stageId}» не найден в плане цикла`);
    if (progress?.stages.find((s) => s.id === stageId)?.status === 'closed') throw new UnprocessableEntityException(`Этап «${stage.title}» уже завершён`);
    const localDateTime = this.checkFutureDeadline(row.plan, dto.dueAt, 'Новый срок этапа уже прошёл');
    const payload: ExtendStagePayload = { stageId, stageTitle: stage.title, localDateTime, reason: dto.reason };
    return this.request(user, row.ministryId, {
      kind: 'extend_stage',
      cycleId: id,
      targetKey: `extend:${id}:${stageId}`,
      payload,
      summary: null,
      reason: dto.reason,
    });
  }

  /**
   * The date of a step the roadmap left open, set once and at once: it fills in the roadmap rather than overriding a
   * deadline already given (the workflow refuses a second setting, naming the stage or task extension instead).
   */
  async setStepDeadline(user: AuthUser, id: string, stepKey: string, dto: SetStepDeadlineDto): Promise<CycleView> {
    const row = await this.requireControllable(user, id, 'установка срока шага');
    const localDateTime = toLocalDateTime(dto.dueAt);
    return this.run(row, (handle) =>
      handle.executeUpdate(setStepDeadlineUpdate, { args: [{ by: user.email, reason: dto.reason, stepKey, localDateTime }] }),
    );
  }

  /**
   * Runs a confirmed request's stored command, as its requester asked it (the workflows record the requester as
   * the one who decided; the request's audit entries name both). `attempt` > 1 means an earlier run may have taken
   * effect before its process died: a launch or cancellation already in place then counts as done.
   */
  async execute(request: CycleActionRequestEntity, confirmer: AuthUser): Promise<CycleView> {
    if (request.kind === 'launch') return this.executeLaunch(request, confirmer);
    const row = await this.cycles.findCycle(request.cycleId);
    if (!row) throw new UnprocessableEntityException(`Цикл «${request.cycleId}» не найден`);
    const by = request.requestedBy;
    switch (request.kind) {
      case 'cancel': {
        const p = request.payload as unknown as CancelPayload;
        if (request.attempts > 1 && row.status === 'cancelled') return this.get(confirmer, row.id);
        return this.run(row, (handle) => handle.executeUpdate(cancelCycleUpdate, { args: [{ by, reason: p.reason }] }));
      }
      case 'extend_stage': {
        const p = request.payload as unknown as ExtendStagePayload;
        return this.run(row, (handle) =>
          handle.executeUpdate(extendStageUpdate, { args: [{ by, reason: p.reason, stageId: p.stageId, localDateTime: p.localDateTime }] }),
        );
      }
    }
  }

  private async executeLaunch(request: CycleActionRequestEntity, confirmer: AuthUser): Promise<CycleView> {
    const p = request.payload as unknown as LaunchPayload;
    const ministry = await this.directory.findOrganization(request.ministryId);
    if (!ministry) throw new UnprocessableEntityException('Министерство, запросившее запуск, не найдено в справочнике');
    const template = await this.templates.require(confirmer, p.templateId, p.templateVersion);
    let plan: ResolvedCyclePlan = this.templates.resolveWithinCalendar(template.document, p.academicYear, {
      code: ministry.regionCode,
      timeZone: ministry.timeZone,
      adoptRegionTimeZone: p.adoptRegionTimeZone,
    });
    if (p.compression) {
      if (!this.config.allowCompressedCalendar) {
        throw new UnprocessableEntityException('Сжатый календарь доступен только в тестовой среде (ALLOW_COMPRESSED_CALENDAR=true)');
      }
      // A short lead lets the launch finish before the first compressed deadline starts counting.
      plan = compressPlan(plan, { secondsPerDay: p.compression.secondsPerDay, origin: new Date(Date.now() + 2000) });
    }
    const institute = (await this.directory.listOrganizations({ regionCode: ministry.regionCode, kind: 'institute' }))[0];
    const id = cycleKey(ministry.regionCode, p.academicYear);
    const workflowId = cycleWorkflowId(id);
    const launchedBy = request.requestedBy;
    const inserted = await this.cycles.insertCycle({
      id,
      regionCode: ministry.regionCode,
      academicYear: p.academicYear,
      templateId: template.id,
      templateVersion: template.version,
      workflowId,
      ministryId: ministry.id,
      status: 'running',
      plan,
      launchedBy,
    });
    if (!inserted) {
      const holder = await this.cycles.findCycle(id);
      // An earlier run of this very request launched it before its process died: done.
      if (request.attempts > 1 && holder && holder.launchedBy === launchedBy && holder.launchedAt >= request.requestedAt) return this.get(confirmer, id);
      throw new ConflictException(`Цикл региона на ${programmeYearRu((holder?.plan ?? plan).yearKind, p.academicYear, 'accusative')} уже запущен (${id})`);
    }
    const input: CycleInput = {
      cycleId: id,
      regionCode: ministry.regionCode,
      academicYear: p.academicYear,
      plan,
      ministryId: ministry.id,
      instituteId: institute?.id,
      launchedBy,
    };
    try {
      await this.temporal.client.workflow.start(CYCLE_WORKFLOW, {
        taskQueue: this.temporal.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      await this.cycles.deleteCycle(id);
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ConflictException(`Процесс цикла ${id} уже существует`);
      this.logger.error(`cycle ${id} not started: ${String(err)}`);
      throw new ServiceUnavailableException('Сервис процессов временно недоступен; цикл не запущен, повторите попытку позже');
    }
    this.logger.log(`cycle ${id} launched from ${template.id} v${template.version} (request ${request.id}, confirmed by person ${confirmer.personId})`);
    return this.get(confirmer, id);
  }

  /** Stores a pending request with its audit entry; another open request for the same target is a 409 naming it. */
  private async request(user: AuthUser, ministryId: string, r: NewRequest): Promise<CycleActionView> {
    const ttl = this.config.cycleActionTtlSeconds ?? CYCLE_ACTION_TTL_SECONDS_DEFAULT;
    const expiresAt = new Date(Date.now() + ttl * 1000);
    const result = await this.actions.create(
      {
        kind: r.kind,
        regionCode: user.regionCode,
        ministryId,
        cycleId: r.cycleId,
        targetKey: r.targetKey,
        payload: r.payload as unknown as Record<string, unknown>,
        summary: r.summary as unknown as Record<string, unknown> | null,
        reason: r.reason,
        requestedBy: user.email,
        requestedByPersonId: user.personId,
        requestedByName: user.fullName,
        expiresAt,
      },
      (row) => ({
        type: CYCLE_ACTION_EVENTS.requested,
        actor: user.email,
        data: { kind: r.kind, description: describeCycleAction(row), payload: r.payload, reason: r.reason, expiresAt: expiresAt.toISOString() },
        cycleId: r.cycleId,
        organizationIds: [ministryId],
      }),
      await this.confirmersOf(ministryId, user.personId),
    );
    if ('conflict' in result) {
      const open = result.conflict;
      throw new ConflictException(
        open
          ? `Такой запрос уже ждёт подтверждения: «${describeCycleAction(open)}» от ${open.requestedByName}; подтвердите, отклоните или отзовите его`
          : 'Такой запрос уже ждёт подтверждения; подтвердите, отклоните или отзовите его',
      );
    }
    this.logger.log(`${r.kind} of ${r.cycleId} requested by person ${user.personId}; waits for a second person`);
    await startCycleActionMail(this.temporal, result.created, this.logger);
    return mapCycleAction(result.created, user);
  }

  /** Who may confirm the requester's request and is told of it by e-mail: the ministry's other administrators and specialists with a log-in. */
  private async confirmersOf(ministryId: string, requesterPersonId: string): Promise<NotificationRecipient[]> {
    return (await this.directory.listMembersWithLogin(ministryId))
      .filter(({ person, hasPassword }) => hasPassword && !person.loginDisabledAt && person.id !== requesterPersonId)
      .filter(({ person }) => CONFIRMING_ROLES.includes(person.role as Role))
      .map(({ person }) => ({ personId: person.id, fullName: person.fullName, email: person.email }));
  }

  /** The user may control the cycle: a ministry administrator of the ministry that launched it. */
  private async requireControllable(user: AuthUser, id: string, what: string): Promise<CycleRow> {
    this.access.assertRole(user, ['ministry_admin'], what);
    const row = await this.require(user, id);
    if (!this.access.canActFor(user, row.ministryId)) {
      this.access.deny(user, 'Управлять циклом может только министерство, которое его запустило', { action: what, cycleId: id });
    }
    return row;
  }

  /** Refuses (422, as the workflow would) a request on a cycle already closed; the live progress otherwise. */
  private async assertActive(row: CycleRow): Promise<CycleProgress | null> {
    const progress = await this.liveProgress(row);
    const status = progress?.status ?? row.status;
    if (status === 'cancelled') throw new UnprocessableEntityException('Цикл отменён');
    if (status === 'completed' || row.closedAt) throw new UnprocessableEntityException('Цикл уже завершён');
    return progress;
  }

  /** A new local deadline as the workflow will check it: a real date-time of the calendar, still ahead. */
  private checkFutureDeadline(plan: ResolvedCyclePlan, dueAt: string, pastMessage: string): string {
    const localDateTime = toLocalDateTime(dueAt);
    let due: number;
    try {
      due = parseLocalDateTime(localDateTime, plan.timeZone).toMillis();
      resolveDeadline({ localDateTime, timeZone: plan.timeZone, calendar: plan.calendar, decreeNonWorkingDays: plan.decreeNonWorkingDays });
    } catch {
      throw new UnprocessableEntityException(`Неверный срок: ${dueAt}; ожидается ГГГГ-ММ-ДДTЧЧ:ММ в пределах производственного календаря`);
    }
    if (!Number.isFinite(due)) throw new UnprocessableEntityException(`Неверный срок: ${dueAt}`);
    if (due <= Date.now()) throw new UnprocessableEntityException(`${pastMessage}: ${localDateTimeRu(localDateTime)}`);
    return localDateTime;
  }

  private async control(user: AuthUser, id: string, what: string, run: (handle: WorkflowHandle) => Promise<CycleProgress>): Promise<CycleView> {
    const row = await this.requireControllable(user, id, what);
    return this.run(row, run);
  }

  /** One Update on the cycle's workflow, its refusals turned into Russian 422s and outages into 503s. */
  private async run(row: CycleRow, run: (handle: WorkflowHandle) => Promise<CycleProgress>): Promise<CycleView> {
    try {
      const progress = await this.temporal.withinUpdateDeadline(() => run(this.temporal.client.workflow.getHandle(row.workflowId)));
      return mapCycle(row, progress);
    } catch (err) {
      if (err instanceof HttpException) throw err;
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        throw new UnprocessableEntityException(err.cause.message);
      }
      if (err instanceof WorkflowNotFoundError) {
        const status = (await this.cycles.findCycle(row.id))?.status;
        throw new UnprocessableEntityException(status === 'cancelled' ? 'Цикл отменён' : 'Цикл уже завершён');
      }
      throw temporalOutageOr(err, 'Обработчик процессов сейчас не отвечает; повторите позже');
    }
  }

  private async require(user: AuthUser, id: string): Promise<CycleRow> {
    const row = await this.cycles.findCycle(id);
    if (!row) throw new NotFoundException(`Цикл «${id}» не найден`);
    if (user.role !== 'auditor' && row.regionCode !== user.regionCode) {
      this.access.deny(user, 'Цикл другого региона недоступен', { action: 'read_cycle', cycleId: id });
    }
    return row;
  }

  /**
   * How far the cycle's latest wave (the launch, or the approval of the list) has issued the tasks it issues at once,
   * read from the tasks the workflows have projected; nothing once the cycle is closed or when the wave has none.
   */
  private async launchProgress(row: CycleRow, progress: CycleProgress | null): Promise<CycleLaunchView | undefined> {
    const status = progress?.status ?? row.status;
    if (row.closedAt || status === 'completed' || status === 'cancelled') return undefined;
    // The institute the launch gave the cycle: the region's first, looked up as launch() does.
    const institute = (await this.directory.listOrganizations({ regionCode: row.regionCode, kind: 'institute' }))[0];
    const participants = row.listApprovedAt ? await this.participants.includedParticipants(row.id) : undefined;
    const wave = launchWave(
      row.plan,
      { ministryId: row.ministryId, instituteId: institute?.id },
      { launchedAtMs: row.launchedAt.getTime(), listApprovedAtMs: row.listApprovedAt?.getTime() },
      participants,
    );
    if (wave.instances.length === 0) return undefined;
    const organizationIds = [...new Set(wave.instances.flatMap((i) => i.organizationIds))];
    const keys = wave.instances.map((i) => instanceKey(i.stepKey, i.periodId));
    return mapCycleLaunch(row.plan, wave, await this.cycles.issuedStepInstances(row.id, keys, organizationIds));
  }

  /** The running workflow's own answer; the stored progress when the workflow is closed or Temporal is away. */
  private async liveProgress(row: CycleRow): Promise<CycleProgress | null> {
    if (row.closedAt) return row.progress;
    try {
      return await this.temporal.withinUpdateDeadline(() => this.temporal.client.workflow.getHandle(row.workflowId).query(cycleProgressQuery));
    } catch (err) {
      this.logger.warn(`progress of ${row.id} from the database: ${String(err)}`);
      return row.progress;
    }
  }
}

/** A date alone means the end of that working day, as everywhere a deadline is written. */
function toLocalDateTime(dueAt: string): string {
  return dueAt.length === 10 ? `${dueAt}T${endOfWorkingDay(dueAt)}` : dueAt;
}
