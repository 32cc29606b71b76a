import { Injectable, Logger, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { AuditExportScopeError, buildAuditExport, toCsv, verifyAuditLog, type AuditExportKind } from '../../../libs/audit';
import type { AppConfig } from '../../../libs/config';
import { cycleWorkflowId } from '../../../libs/contracts/cycle';
import { deadlineTaskWorkflowId } from '../../../libs/contracts/deadline-task';
import {
  AuditLogRepository,
  CycleRepository,
  DirectoryRepository,
  NotificationOutboxRepository,
  TaskRepository,
  WorkflowHistoryRepository,
  type WorkflowHistoryRecord,
} from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { iso, isoOrNull } from '../common/views';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { isTemporalUnreachable, isUpdateUnanswered, temporalOutageOr } from '../temporal/temporal-errors';
import { mapAuditChainVerification, type AuditChainVerificationView, type AuditExportView, type CycleWorkflowsView, type CycleWorkflowView, type WorkflowHistoryView, type WorkflowKind } from './audit.dto';
import { auditExportDuration, timed } from '../../../libs/observability';

const KIND_ORDER: WorkflowKind[] = ['cycle', 'track', 'step', 'task'];

export interface CsvFile {
  fileName: string;
  content: string;
}

/** A run as listed, before it is written out. */
interface CycleWorkflowRun extends Omit<CycleWorkflowView, 'startTime' | 'closeTime'> {
  startTime: Date;
  closeTime: Date | null;
}

/** The auditors' reading room: exports, the chain check and the workflows' own histories. Reads only. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly auditLog: AuditLogRepository,
    private readonly histories: WorkflowHistoryRepository,
    private readonly cycles: CycleRepository,
    private readonly tasks: TaskRepository,
    private readonly directory: DirectoryRepository,
    private readonly notifications: NotificationOutboxRepository,
    private readonly access: AccessPolicy,
    private readonly temporal: TemporalGateway,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async export(user: AuthUser, kind: AuditExportKind, id: string, includeHistories = false): Promise<AuditExportView> {
    await this.assertExportScope(user, kind, id);
    try {
      const sources = {
        auditLog: this.auditLog,
        histories: this.histories,
        tasks: this.tasks,
        notifications: this.notifications,
        directory: this.directory,
      };
      return await timed(auditExportDuration, { kind }, () => buildAuditExport(sources, { kind, id, includeHistories }));
    } catch (err) {
      if (err instanceof AuditExportScopeError) throw new NotFoundException(err.message);
      throw err;
    }
  }

  async exportCsv(user: AuthUser, kind: AuditExportKind, id: string, delimiter: ',' | ';'): Promise<CsvFile> {
    const exported = await this.export(user, kind, id);
    return { fileName: `audit-${kind}-${id}.csv`, content: toCsv(exported, { delimiter }) };
  }

  /** The chain walk and the signed checkpoints; the API only reads the checkpoint file (the worker writes it). */
  async verify(): Promise<AuditChainVerificationView> {
    const settings = this.config.audit;
    const verification = await verifyAuditLog(this.auditLog, settings && { dir: settings.checkpointDir, key: settings.checkpointKey });
    return mapAuditChainVerification(verification);
  }

  /**
   * A running workflow's history comes live from Temporal; a closed one's from the archive, or from Temporal when
   * the archiver has not copied it yet.
   */
  async workflowHistory(workflowId: string, runId?: string): Promise<WorkflowHistoryView> {
    const handle = this.temporal.client.workflow.getHandle(workflowId, runId);
    let described: WorkflowExecutionDescription | null = null;
    let temporalDown: unknown = null;
    try {
      described = await this.temporal.withinUpdateDeadline(() => handle.describe());
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) {
        // Only an outage may fall back to the archive; any other refusal is a defect to see, not a 503.
        if (!isTemporalUnreachable(err) && !isUpdateUnanswered(err)) throw err;
        temporalDown = err;
        this.logger.warn(`describe ${workflowId}: ${String(err)}`);
      }
    }
    const running = described?.status.name === 'RUNNING';
    if (!running) {
      const archived = await this.histories.get(workflowId, runId);
      if (archived) return archiveView(archived);
    }
    if (described) {
      const history = await this.temporal
        .withinUpdateDeadline(() => this.temporal.fetchHistory(this.temporal.client.workflow.getHandle(workflowId, described.runId)))
        .catch((err: unknown) => {
          throw temporalOutageOr(err, 'Сервис процессов не ответил вовремя; повторите позже');
        });
      const json = JSON.parse(historyToJSON(history)) as { events?: unknown[] };
      const events = json.events ?? [];
      return {
        workflowId,
        runId: described.runId,
        workflowType: described.type,
        status: described.status.name,
        startTime: iso(described.startTime),
        closeTime: isoOrNull(described.closeTime),
        eventCount: events.length,
        source: 'temporal',
        running,
        archivedAt: null,
        history: { ...json, events },
      };
    }
    if (temporalDown) {
      throw new ServiceUnavailableException('Сервис процессов недоступен, а в архиве истории этого процесса нет; повторите позже');
    }
    throw new NotFoundException(`Процесс «${workflowId}»${runId ? ` (запуск ${runId})` : ''} не найден ни в Temporal, ни в архиве`);
  }

  /** Every workflow of the cycle (the cycle, organisation tracks, steps, tasks), live from Temporal and from the archive. */
  async cycleWorkflows(user: AuthUser, cycleId: string): Promise<CycleWorkflowsView> {
    const cycle = await this.cycles.findCycle(cycleId);
    if (!cycle) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    if (user.role !== 'auditor' && cycle.regionCode !== user.regionCode) {
      this.access.deny(user, 'Процессы цикла другого региона недоступны', { action: 'cycle_workflows', cycleId });
    }
    const ownId = cycleWorkflowId(cycleId);
    const childPrefix = `${ownId}:`;
    const taskPrefix = deadlineTaskWorkflowId(`${cycleId}.`);
    const archivedRuns = [
      ...(await this.histories.listByWorkflowIds([ownId])),
      ...(await this.histories.listByPrefix(childPrefix)),
      ...(await this.histories.listByPrefix(taskPrefix)),
    ];
    const archived = new Set(archivedRuns.map((r) => `${r.workflowId}\n${r.runId}`));
    const runs = new Map<string, CycleWorkflowRun>();
    let live = true;
    try {
      const quote = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
      const query = `WorkflowId = ${quote(ownId)} OR WorkflowId STARTS_WITH ${quote(childPrefix)} OR WorkflowId STARTS_WITH ${quote(taskPrefix)}`;
      await this.temporal.withinUpdateDeadline(async () => {
        for await (const execution of this.temporal.client.workflow.list({ query })) {
          runs.set(`${execution.workflowId}\n${execution.runId}`, {
            workflowId: execution.workflowId,
            runId: execution.runId,
            kind: kindOf(execution.workflowId, ownId),
            workflowType: execution.type,
            status: execution.status.name,
            startTime: execution.startTime,
            closeTime: execution.closeTime ?? null,
            archived: archived.has(`${execution.workflowId}\n${execution.runId}`),
          });
        }
      });
    } catch (err) {
      live = false;
      this.logger.warn(`workflows of ${cycleId} from the archive only: ${String(err)}`);
    }
    // Runs past Temporal's retention (or listed while it is away) are known from the archive alone.
    for (const run of archivedRuns) {
      const key = `${run.workflowId}\n${run.runId}`;
      if (runs.has(key)) continue;
      runs.set(key, {
        workflowId: run.workflowId,
        runId: run.runId,
        kind: kindOf(run.workflowId, ownId),
        workflowType: run.workflowType,
        status: run.status,
        startTime: run.startTime,
        closeTime: run.closeTime,
        archived: true,
      });
    }
    const workflows = [...runs.values()].sort(
      (a, b) =>
        KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
        a.workflowId.localeCompare(b.workflowId) ||
        a.startTime.getTime() - b.startTime.getTime(),
    );
    const byStatus: Record<string, number> = {};
    for (const w of workflows) byStatus[w.status] = (byStatus[w.status] ?? 0) + 1;
    return {
      cycleId,
      live,
      total: workflows.length,
      byStatus,
      workflows: workflows.map((w) => ({ ...w, startTime: iso(w.startTime), closeTime: isoOrNull(w.closeTime) })),
    };
  }

  /** A ministry administrator exports only what belongs to its own region; an auditor anything that exists. */
  private async assertExportScope(user: AuthUser, kind: AuditExportKind, id: string): Promise<void> {
    let regionCode: string | undefined;
    if (kind === 'cycle') {
      const cycle = await this.cycles.findCycle(id);
      if (!cycle) throw new NotFoundException(`Цикл «${id}» не найден`);
      regionCode = cycle.regionCode;
    } else if (kind === 'organization') {
      const organization = await this.directory.findOrganization(id);
      if (!organization) throw new NotFoundException(`Организация «${id}» не найдена`);
      regionCode = organization.regionCode;
    } else {
      const task = await this.tasks.find(id);
      if (task) regionCode = (await this.directory.findOrganization(task.supervisorOrganizationId))?.regionCode;
      // The auditor may still export a task whose read model is gone but whose audit entries remain.
      else if (user.role !== 'auditor') throw new NotFoundException(`Задача «${id}» не найдена`);
    }
    if (user.role === 'auditor') return;
    this.access.assertRole(user, ['ministry_admin'], 'выгрузка журнала аудита');
    if (regionCode !== user.regionCode) {
      this.access.deny(user, 'Администратор министерства выгружает журнал аудита только по своему региону', {
        action: 'audit_export',
        scope: kind,
        id,
      });
    }
  }
}

function kindOf(workflowId: string, cycleWorkflow: string): WorkflowKind {
  if (workflowId === cycleWorkflow) return 'cycle';
  if (workflowId.startsWith(`${cycleWorkflow}:org:`)) return 'track';
  if (workflowId.startsWith(`${cycleWorkflow}:step:`)) return 'step';
  return 'task';
}

function archiveView(record: WorkflowHistoryRecord): WorkflowHistoryView {
  return {
    workflowId: record.workflowId,
    runId: record.runId,
    workflowType: record.workflowType,
    status: record.status,
    startTime: iso(record.startTime),
    closeTime: isoOrNull(record.closeTime),
    eventCount: record.eventCount,
    source: 'archive',
    running: false,
    archivedAt: isoOrNull(record.archivedAt),
    history: record.history,
  };
}
