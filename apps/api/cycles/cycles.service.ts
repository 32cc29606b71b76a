import {
  ConflictException,
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
import { compressPlan, programmeYearRu } from '../../../libs/domain/cycle-template';
import { CycleRepository, DirectoryRepository, type CycleRow } from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
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

/** Launching a yearly cycle and the ministry's controls over it. */
@Injectable()
export class CyclesService {
  private readonly logger = new Logger(CyclesService.name);

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly cycles: CycleRepository,
    private readonly directory: DirectoryRepository,
    private readonly templates: TemplatesService,
    private readonly access: AccessPolicy,
    private readonly temporal: TemporalGateway,
  ) {}

  async launch(user: AuthUser, dto: LaunchCycleDto): Promise<CycleView> {
    this.access.assertRole(user, ['ministry_admin'], 'запуск цикла');
    const ministry = await this.directory.findOrganization(user.organizationId);
    if (!ministry || ministry.kind !== 'ministry') {
      this.access.deny(user, 'Запускать цикл может только администратор министерства своего региона', { action: 'launch_cycle' });
    }
    const template = await this.templates.require(user, dto.templateId, dto.templateVersion);
    let plan: ResolvedCyclePlan = this.templates.resolveWithinCalendar(template.document, dto.academicYear, {
      code: ministry.regionCode,
      timeZone: ministry.timeZone,
      adoptRegionTimeZone: dto.adoptRegionTimeZone,
    });
    if (dto.compression) {
      if (!this.config.allowCompressedCalendar) {
        throw new UnprocessableEntityException('Сжатый календарь доступен только в тестовой среде (ALLOW_COMPRESSED_CALENDAR=true)');
      }
      // A short lead lets the launch finish before the first compressed deadline starts counting.
      plan = compressPlan(plan, { secondsPerDay: dto.compression.secondsPerDay, origin: new Date(Date.now() + 2000) });
    }
    const institute = (await this.directory.listOrganizations({ regionCode: ministry.regionCode, kind: 'institute' }))[0];
    const id = cycleKey(ministry.regionCode, dto.academicYear);
    const workflowId = cycleWorkflowId(id);
    const inserted = await this.cycles.insertCycle({
      id,
      regionCode: ministry.regionCode,
      academicYear: dto.academicYear,
      templateId: template.id,
      templateVersion: template.version,
      workflowId,
      ministryId: ministry.id,
      status: 'running',
      plan,
      launchedBy: user.email,
    });
    if (!inserted) {
      // The key is the region and the year alone, so the cycle holding it may be of the other kind of year.
      const holder = (await this.cycles.findCycle(id))?.plan ?? plan;
      throw new ConflictException(`Цикл региона на ${programmeYearRu(holder.yearKind, dto.academicYear, 'accusative')} уже запущен (${id})`);
    }
    const input: CycleInput = {
      cycleId: id,
      regionCode: ministry.regionCode,
      academicYear: dto.academicYear,
      plan,
      ministryId: ministry.id,
      instituteId: institute?.id,
      launchedBy: user.email,
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
    this.logger.log(`cycle ${id} launched from ${template.id} v${template.version} by ${user.email}`);
    return this.get(user, id);
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

  async cancel(user: AuthUser, id: string, reason: string): Promise<CycleView> {
    return this.control(user, id, 'отмена цикла', (handle) => handle.executeUpdate(cancelCycleUpdate, { args: [{ by: user.email, reason }] }));
  }

  async extendStage(user: AuthUser, id: string, stageId: string, dto: ExtendStageDto): Promise<CycleView> {
    const localDateTime = dto.dueAt.length === 10 ? `${dto.dueAt}T${endOfWorkingDay(dto.dueAt)}` : dto.dueAt;
    return this.control(user, id, 'продление этапа', (handle) =>
      handle.executeUpdate(extendStageUpdate, { args: [{ by: user.email, reason: dto.reason, stageId, localDateTime }] }),
    );
  }

  async setStepDeadline(user: AuthUser, id: string, stepKey: string, dto: SetStepDeadlineDto): Promise<CycleView> {
    const localDateTime = dto.dueAt.length === 10 ? `${dto.dueAt}T${endOfWorkingDay(dto.dueAt)}` : dto.dueAt;
    return this.control(user, id, 'установка срока шага', (handle) =>
      handle.executeUpdate(setStepDeadlineUpdate, { args: [{ by: user.email, reason: dto.reason, stepKey, localDateTime }] }),
    );
  }

  private async control(
    user: AuthUser,
    id: string,
    what: string,
    run: (handle: ReturnType<TemporalGateway['client']['workflow']['getHandle']>) => Promise<CycleProgress>,
  ): Promise<CycleView> {
    this.access.assertRole(user, ['ministry_admin'], what);
    const row = await this.require(user, id);
    if (!this.access.canActFor(user, row.ministryId)) {
      this.access.deny(user, 'Управлять циклом может только министерство, которое его запустило', { action: what, cycleId: id });
    }
    try {
      const progress = await this.temporal.withinUpdateDeadline(() => run(this.temporal.client.workflow.getHandle(row.workflowId)));
      return mapCycle(row, progress);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        throw new UnprocessableEntityException(err.cause.message);
      }
      if (err instanceof WorkflowNotFoundError) {
        const status = (await this.cycles.findCycle(id))?.status;
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
    const participants = row.listApprovedAt ? await this.cycles.includedParticipants(row.id) : undefined;
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
