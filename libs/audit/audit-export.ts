/**
 * What an auditor downloads: who did what, when, against which deadline, for one cycle, organisation or task. The
 * audit entries with their chain hashes (and whether they still verify), the tasks, every e-mail sent for them, and
 * the archived workflow histories that show how the system itself acted.
 */
import type { DataSource } from 'typeorm';
import type { NotificationRecipient } from '../persistence/entities';
import { AuditLogRepository } from '../persistence/repositories/audit-log.repository';
import { DirectoryRepository } from '../persistence/repositories/directory.repository';
import { NotificationOutboxRepository } from '../persistence/repositories/notification-outbox.repository';
import { TaskRepository } from '../persistence/repositories/task.repository';
import { WorkflowHistoryRepository, type WorkflowHistoryRecord } from '../persistence/repositories/workflow-history.repository';
import type { ChainBreak } from './audit-chain';
import { auditEventLabel } from './audit-event-labels';

export type AuditExportKind = 'cycle' | 'organization' | 'task';

export interface AuditExportScope {
  kind: AuditExportKind;
  id: string;
  /** Full history JSON for every workflow in scope, not only for a single task's. */
  includeHistories?: boolean;
}

export interface AuditExportEntry {
  chainSeq: string;
  prevHash: string | null;
  hash: string;
  /** ISO 8601, UTC. */
  occurredAt: string;
  actor: string;
  /** The code the log stores ('submission_made'). */
  type: string;
  /** What it means, in Russian («Материалы представлены»); the code itself for a type this version does not know. */
  typeLabel: string;
  subjectType: string;
  subjectId: string;
  seq: number | null;
  cycleId: string | null;
  organizationIds: string[];
  data: Record<string, unknown>;
}

export interface AuditExportTask {
  id: string;
  workflowId: string;
  title: string;
  assigneeOrganizationId: string;
  supervisorOrganizationId: string;
  subjectOrganizationId: string | null;
  cycleId: string | null;
  dueAt: string;
  status: string;
  completedAt: string | null;
  completedBy: string | null;
  /** Null while not completed. */
  late: boolean | null;
  legalBasis: string | null;
}

export interface AuditExportNotification {
  taskId: string;
  kind: string;
  step: string;
  target: string;
  subject: string;
  messageId: string;
  recipients: NotificationRecipient[];
  status: string;
  sentAt: string | null;
}

export interface AuditExportWorkflow {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  eventCount: number;
  /** Proto3 JSON (`temporal workflow show --output json`); only for a task's export or with includeHistories. */
  history?: { events: unknown[] };
}

export interface AuditExportOrganization {
  id: string;
  name: string;
  kind: string;
}

export interface AuditExport {
  scope: { kind: AuditExportKind; id: string; includeHistories: boolean };
  generatedAt: string;
  /** The organisations the export is about (an organisation scope: it and, for a municipality, its schools). */
  scopeOrganizationIds: string[];
  /** Every organisation named in the export, for readable names. */
  organizations: AuditExportOrganization[];
  /** In chronological order (occurred_at, then chain order). */
  entries: AuditExportEntry[];
  tasks: AuditExportTask[];
  notifications: AuditExportNotification[];
  workflows: AuditExportWorkflow[];
  /**
   * Each exported entry checked against its own hash and against the stored hash of the entry before it in the whole
   * log: whether this part of the chain was changed since it was written.
   */
  verification: { ok: boolean; checked: number; failures: ChainBreak[] };
}

/** A scope naming nothing that exists; the message is Russian because it reaches the auditor as is. */
export class AuditExportScopeError extends Error {
  override readonly name = 'AuditExportScopeError';
}

/** Where an export reads from: the repositories of the log, the tasks, the outbox, the archive and the directory. */
export interface AuditExportSources {
  auditLog: AuditLogRepository;
  histories: WorkflowHistoryRepository;
  tasks: TaskRepository;
  notifications: NotificationOutboxRepository;
  directory: DirectoryRepository;
}

/** The sources over one data source, for scripts and tests that hold a DataSource rather than injected repositories. */
export function auditExportSources(dataSource: DataSource): AuditExportSources {
  return {
    auditLog: new AuditLogRepository(dataSource),
    histories: new WorkflowHistoryRepository(dataSource),
    tasks: new TaskRepository(dataSource),
    notifications: new NotificationOutboxRepository(dataSource),
    directory: new DirectoryRepository(dataSource),
  };
}

export async function buildAuditExport(deps: AuditExportSources | { dataSource: DataSource }, scope: AuditExportScope): Promise<AuditExport> {
  const sources = 'dataSource' in deps ? auditExportSources(deps.dataSource) : deps;
  const { auditLog: audit, histories, directory } = sources;
  const includeHistories = scope.kind === 'task' || scope.includeHistories === true;

  let scopeOrganizationIds: string[] = [];
  if (scope.kind === 'organization') {
    const org = await directory.findOrganization(scope.id);
    if (!org) throw new AuditExportScopeError(`Организация «${scope.id}» не найдена`);
    const schools = org.kind === 'municipality' ? await directory.listOrganizations({ parentId: scope.id }) : [];
    scopeOrganizationIds = [scope.id, ...schools.map((s) => s.id).sort()];
  }

  const entryScope =
    scope.kind === 'cycle'
      ? { cycleId: scope.id }
      : scope.kind === 'organization'
        ? { organizationIds: scopeOrganizationIds }
        : { taskIds: [scope.id] };
  const listOptions = { includeHistory: includeHistories };
  // Independent reads go out together (each on its own pooled connection): an export waits for three round trips in a
  // row (entries, then their tasks, then what hangs off the tasks), not for eight. The entries and their verification
  // come from one read of the log.
  const [listed, cycleRuns, cycleTaskRuns] = await Promise.all([
    audit.listVerified(entryScope),
    // A cycle's own workflows share its prefix; its tasks' workflows are named after it too, even when no task row exists.
    scope.kind === 'cycle' ? histories.listByPrefix(`cycle:${scope.id}:`, listOptions) : [],
    scope.kind === 'cycle' ? histories.listByPrefix(`task:${scope.id}.`, listOptions) : [],
  ]);
  const entries: AuditExportEntry[] = listed.entries.map((e) => ({
    chainSeq: e.chainSeq,
    prevHash: e.prevHash,
    hash: e.hash,
    occurredAt: e.occurredAt.toISOString(),
    actor: e.actor,
    type: e.type,
    typeLabel: auditEventLabel(e.type),
    subjectType: e.subjectType,
    subjectId: e.subjectId,
    seq: e.seq,
    cycleId: e.cycleId,
    organizationIds: e.organizationIds,
    data: e.data,
  }));
  entries.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || compareSeq(a.chainSeq, b.chainSeq));

  // The tasks in scope, and any other task an exported entry is about (e.g. one reassigned away from the organisation).
  const referencedTaskIds = [...new Set(entries.filter((e) => e.subjectType === 'task').map((e) => e.subjectId))];
  const taskRows = await sources.tasks.listForAuditExport(
    scope.kind === 'cycle'
      ? { kind: 'cycle', cycleId: scope.id }
      : scope.kind === 'organization'
        ? { kind: 'organization', organizationIds: scopeOrganizationIds }
        : { kind: 'task', taskId: scope.id },
    referencedTaskIds,
  );
  if (scope.kind === 'task' && !taskRows.some((t) => t.id === scope.id) && entries.length === 0) {
    throw new AuditExportScopeError(`Задача «${scope.id}» не найдена`);
  }
  const tasks: AuditExportTask[] = taskRows.map((t) => ({
    id: t.id,
    workflowId: t.workflowId,
    title: t.title,
    assigneeOrganizationId: t.assigneeOrganizationId,
    supervisorOrganizationId: t.supervisorOrganizationId,
    subjectOrganizationId: t.snapshot.context?.subjectOrganizationId ?? null,
    cycleId: t.snapshot.context?.cycleId ?? null,
    dueAt: t.dueAt.toISOString(),
    status: t.status,
    completedAt: t.snapshot.completedAt ?? null,
    completedBy: t.snapshot.completedBy ?? null,
    late: t.snapshot.completedAt ? t.snapshot.completedLate === true : null,
    legalBasis: t.snapshot.legalBasis ?? null,
  }));

  const named = new Set<string>(scopeOrganizationIds);
  for (const e of entries) e.organizationIds.forEach((id) => named.add(id));
  for (const t of tasks) [t.assigneeOrganizationId, t.supervisorOrganizationId, t.subjectOrganizationId].forEach((id) => id && named.add(id));
  const [notificationRows, taskRuns, organizationRows] = await Promise.all([
    sources.notifications.listByTaskIds(tasks.map((t) => t.id)),
    histories.listByWorkflowIds([...(scope.kind === 'cycle' ? [`cycle:${scope.id}`] : []), ...tasks.map((t) => t.workflowId)], listOptions),
    directory.findOrganizations([...named]),
  ]);
  const notifications: AuditExportNotification[] = notificationRows.map((n) => ({
    taskId: n.taskId,
    kind: n.kind,
    step: n.stepKey,
    target: n.target,
    subject: n.subject,
    messageId: n.messageId,
    recipients: n.recipients,
    status: n.status,
    sentAt: n.sentAt ? n.sentAt.toISOString() : null,
  }));

  const runs: WorkflowHistoryRecord[] = [...taskRuns, ...cycleRuns, ...cycleTaskRuns];
  const seenRuns = new Set<string>();
  const workflows: AuditExportWorkflow[] = [];
  for (const run of runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime() || a.workflowId.localeCompare(b.workflowId))) {
    const key = `${run.workflowId}\n${run.runId}`;
    if (seenRuns.has(key)) continue;
    seenRuns.add(key);
    workflows.push({
      workflowId: run.workflowId,
      runId: run.runId,
      type: run.workflowType,
      status: run.status,
      startTime: run.startTime.toISOString(),
      closeTime: run.closeTime ? run.closeTime.toISOString() : null,
      eventCount: run.eventCount,
      ...(includeHistories && run.history ? { history: run.history } : {}),
    });
  }

  const organizations: AuditExportOrganization[] = [...organizationRows.values()]
    .map((o) => ({ id: o.id, name: o.name, kind: o.kind }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  return {
    scope: { kind: scope.kind, id: scope.id, includeHistories },
    generatedAt: new Date().toISOString(),
    scopeOrganizationIds,
    organizations,
    entries,
    tasks,
    notifications,
    workflows,
    verification: listed.verification,
  };
}

function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The export as it is serialised to JSON: already plain data. */
export function toJson(exp: AuditExport): AuditExport {
  return exp;
}

export const CSV_HEADERS = [
  'Дата и время (UTC)',
  'Кто',
  'Событие',
  'Код события',
  'Объект',
  'Организации',
  'Срок (UTC)',
  'Подробности',
  '№ записи в журнале',
  'Хеш записи',
] as const;

export interface CsvOptions {
  /** RFC 4180's comma by default; ';' is what Excel with Russian regional settings splits on when opening a file. */
  delimiter?: ',' | ';';
}

/**
 * One row per audit entry in chronological order, RFC 4180 (CRLF, quoted where needed, quotes doubled), with a UTF-8
 * byte order mark so that Excel reads the Cyrillic right.
 */
export function toCsv(exp: AuditExport, options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const tasks = new Map(exp.tasks.map((t) => [t.id, t]));
  const names = new Map(exp.organizations.map((o) => [o.id, o.name]));
  const rows: string[][] = [[...CSV_HEADERS]];
  for (const e of exp.entries) {
    const task = e.subjectType === 'task' ? tasks.get(e.subjectId) : undefined;
    rows.push([
      e.occurredAt,
      e.actor,
      e.typeLabel,
      e.type,
      task ? `задача ${e.subjectId} «${task.title}»` : `${e.subjectType} ${e.subjectId}`,
      e.organizationIds.map((id) => (names.has(id) ? `${names.get(id)} (${id})` : id)).join('; '),
      task ? task.dueAt : '',
      JSON.stringify(e.data),
      e.chainSeq,
      e.hash,
    ]);
  }
  return '\uFEFF' + rows.map((row) => row.map((cell) => csvCell(cell, delimiter)).join(delimiter)).join('\r\n') + '\r\n';
}

/**
 * Quoted when it holds the delimiter, a quote or a line break. A cell that Excel would run as a formula (=, +, -, @
 * first) gets a leading apostrophe, as OWASP advises: an export must not execute what an official typed into a title.
 */
export function csvCell(value: string, delimiter: ',' | ';' = ','): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return safe.includes(delimiter) || /["\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
