import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { AuditExportScopeError, buildAuditExport, CSV_HEADERS, toCsv, toJson } from '../../libs/audit/audit-export';
import { DEFAULT_NOTIFICATION_POLICY, type TaskEvent, type TaskSnapshot } from '../../libs/contracts/deadline-task';
import { resolveDeadline } from '../../libs/domain/deadline';
import {
  AuditLogRepository,
  dataSourceOptions,
  NotificationOutboxRepository,
  seedDemoRegion,
  TaskRepository,
  WorkflowHistoryRepository,
} from '../../libs/persistence';
import { requireTestEnv, uniqueSuffix } from '../support/test-config';

let dataSource: DataSource;
const suffix = uniqueSuffix();
const cycleId = `audit-export-${suffix}`;
const taskA = `${cycleId}.plan-school-1`;
const taskB = `${cycleId}.plan-yuzhny`;
const taskC = `standalone-${suffix}`;
const recordedHistory = JSON.parse(
  readFileSync(path.resolve(__dirname, '../fixtures/histories/reminded-escalated-completed-late.json'), 'utf8'),
) as { events: unknown[] };

function snapshot(taskId: string, assignee: string, supervisor: string, extra: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    taskId,
    workflowId: `task:${taskId}`,
    title: `Программа перехода в эффективный режим работы (${taskId})`,
    status: 'open',
    assigneeOrganizationId: assignee,
    supervisorOrganizationId: supervisor,
    deadline: resolveDeadline({ localDateTime: '2026-12-15T18:00', timeZone: 'Asia/Yekaterinburg', calendar: 'working-days' }),
    deadlineRevision: 1,
    policy: DEFAULT_NOTIFICATION_POLICY,
    schedule: [],
    sentSteps: [],
    createdBy: 'programme@demo-region.example',
    createdAt: '2026-11-23T10:00:00.000Z',
    version: 1,
    ...extra,
  };
}

const event = (seq: number, type: TaskEvent['type'], occurredAt: string, actor = 'programme@demo-region.example', data = {}): TaskEvent => ({
  seq,
  type,
  actor,
  occurredAt,
  data,
});

beforeAll(async () => {
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  await seedDemoRegion(dataSource);
  const tasks = new TaskRepository(dataSource);
  const inCycle = (subject: string) => ({
    context: { cycleId, stageId: 'plans', stepKey: 'transition-programme', action: 'submit' as const, subjectOrganizationId: subject },
    legalBasis: 'Распоряжение МО № 1234-р от 01.09.2026, п. 3.2',
  });

  const a = snapshot(taskA, 'demo-school-severny-1', 'demo-mun-severny', inCycle('demo-school-severny-1'));
  await tasks.applyProjection(a, event(1, 'created', '2026-11-23T10:00:00.000Z'));
  await tasks.applyProjection({ ...a, version: 2, sentSteps: ['r1-reminder-1'] }, event(2, 'reminder_sent', '2026-12-08T04:00:00.000Z', 'system', { stepKey: 'r1-reminder-1' }));
  const done = { ...a, version: 3, status: 'completed' as const, completedAt: '2026-12-16T05:00:00.000Z', completedBy: 'director@school1.severny.demo-region.example', completedLate: true };
  await tasks.applyProjection(done, event(3, 'completed', done.completedAt, done.completedBy, { late: true, comment: 'Программа, «ред. 2», утверждена; см. "приложение"' }));

  await tasks.applyProjection(snapshot(taskB, 'demo-mun-yuzhny', 'demo-ministry', inCycle('demo-mun-yuzhny')), event(1, 'created', '2026-11-23T10:00:01.000Z'));
  await tasks.applyProjection(snapshot(taskC, 'demo-school-severny-2', 'demo-mun-severny'), event(1, 'created', '2026-11-23T11:00:00.000Z'));
  // Written last but earliest in time: the export is chronological, not in chain order.
  await new AuditLogRepository(dataSource).append({
    subjectType: 'cycle',
    subjectId: cycleId,
    type: 'cycle_started',
    actor: 'programme@demo-region.example',
    occurredAt: new Date('2026-11-20T09:00:00.000Z'),
    data: { year: 2026 },
    cycleId,
    organizationIds: ['demo-ministry'],
  });

  const outbox = new NotificationOutboxRepository(dataSource);
  const reminder = await outbox.reserve({
    taskId: taskA,
    stepKey: 'r1-reminder-1',
    kind: 'reminder',
    target: 'assignee',
    messageId: `<task.${taskA}.r1-reminder-1@uplift.test>`,
    recipients: [{ personId: 'p1', fullName: 'Директор школы', email: 'director@school1.severny.demo-region.example' }],
    subject: 'Напоминание',
    bodyText: 'текст',
    bodyHtml: '<p>текст</p>',
    status: 'pending',
  });
  await outbox.markSent(reminder.id);

  const histories = new WorkflowHistoryRepository(dataSource);
  const run = { status: 'COMPLETED', startTime: new Date('2026-11-23T10:00:00Z'), closeTime: new Date('2026-12-16T05:00:00Z') };
  await histories.save({ ...run, workflowId: `task:${taskA}`, runId: 'run-a', workflowType: 'deadlineTaskWorkflow', eventCount: recordedHistory.events.length, history: recordedHistory });
  await histories.save({ ...run, workflowId: `cycle:${cycleId}`, runId: 'run-cycle', workflowType: 'cycleWorkflow', eventCount: 0, history: { events: [] } });
  await histories.save({ ...run, workflowId: `cycle:${cycleId}:org:demo-mun-yuzhny`, runId: 'run-track', workflowType: 'organizationTrackWorkflow', eventCount: 0, history: { events: [] } });
  await histories.save({ ...run, workflowId: `cycle:${cycleId}x`, runId: 'run-other', workflowType: 'cycleWorkflow', eventCount: 0, history: { events: [] } });
});

afterAll(async () => {
  await dataSource?.destroy();
});

describe("auditors' export from real PostgreSQL", () => {
  it('collects a cycle: its entries in time order, its tasks, their e-mails and its workflows without full histories', async () => {
    const exp = await buildAuditExport({ dataSource }, { kind: 'cycle', id: cycleId });
    expect(exp.entries.map((e) => `${e.subjectId}:${e.type}`)).toEqual([
      `${cycleId}:cycle_started`,
      `${taskA}:created`,
      `${taskB}:created`,
      `${taskA}:reminder_sent`,
      `${taskA}:completed`,
    ]);
    expect(exp.entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && /^\d+$/.test(e.chainSeq))).toBe(true);
    expect(exp.verification).toEqual({ ok: true, checked: 5, failures: [] });
    expect(exp.tasks.map((t) => t.id).sort()).toEqual([taskA, taskB].sort());
    expect(exp.tasks.find((t) => t.id === taskA)).toMatchObject({
      status: 'completed',
      late: true,
      completedAt: '2026-12-16T05:00:00.000Z',
      dueAt: '2026-12-15T13:00:00.000Z',
      legalBasis: 'Распоряжение МО № 1234-р от 01.09.2026, п. 3.2',
      assigneeOrganizationId: 'demo-school-severny-1',
    });
    expect(exp.tasks.find((t) => t.id === taskB)).toMatchObject({ status: 'open', late: null, completedAt: null });
    expect(exp.notifications).toEqual([
      expect.objectContaining({ taskId: taskA, kind: 'reminder', step: 'r1-reminder-1', status: 'sent', sentAt: expect.any(String) }),
    ]);
    expect(exp.notifications[0].recipients[0].email).toBe('director@school1.severny.demo-region.example');
    expect(exp.workflows.map((w) => w.workflowId).sort()).toEqual([`cycle:${cycleId}`, `cycle:${cycleId}:org:demo-mun-yuzhny`, `task:${taskA}`].sort());
    expect(exp.workflows.every((w) => w.history === undefined)).toBe(true);
    expect(exp.workflows.find((w) => w.workflowId === `task:${taskA}`)).toMatchObject({ runId: 'run-a', type: 'deadlineTaskWorkflow', status: 'COMPLETED', eventCount: recordedHistory.events.length });
    expect(JSON.parse(JSON.stringify(toJson(exp)))).toEqual(exp);

    const withHistories = await buildAuditExport({ dataSource }, { kind: 'cycle', id: cycleId, includeHistories: true });
    expect(withHistories.workflows.find((w) => w.workflowId === `task:${taskA}`)?.history?.events).toHaveLength(recordedHistory.events.length);
  });

  it('collects a municipality with its schools, and nothing of another municipality', async () => {
    const exp = await buildAuditExport({ dataSource }, { kind: 'organization', id: 'demo-mun-severny' });
    // Other test files may add schools under Severny; none of Yuzhny's may appear.
    expect(exp.scopeOrganizationIds).toEqual(expect.arrayContaining(['demo-mun-severny', 'demo-school-severny-1', 'demo-school-severny-2']));
    expect(exp.scopeOrganizationIds).not.toEqual(expect.arrayContaining(['demo-school-yuzhny-1']));
    const subjects = new Set(exp.entries.map((e) => e.subjectId));
    expect(subjects.has(taskA) && subjects.has(taskC)).toBe(true);
    expect(subjects.has(taskB)).toBe(false);
    const ids = exp.tasks.map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining([taskA, taskC]));
    expect(ids).not.toContain(taskB);
    expect(exp.organizations.find((o) => o.id === 'demo-school-severny-1')?.name).toBe('МБОУ «СОШ № 1» п. Северный');
    expect(exp.verification.ok).toBe(true);

    const school = await buildAuditExport({ dataSource }, { kind: 'organization', id: 'demo-school-severny-2' });
    expect(school.scopeOrganizationIds).toEqual(['demo-school-severny-2']);
    expect(school.entries.some((e) => e.subjectId === taskA)).toBe(false);
    expect(school.entries.some((e) => e.subjectId === taskC)).toBe(true);
  });

  it('collects one task with its full workflow history, and writes a CSV an RFC 4180 reader and Excel read right', async () => {
    const exp = await buildAuditExport({ dataSource }, { kind: 'task', id: taskA });
    expect(exp.entries.map((e) => e.type)).toEqual(['created', 'reminder_sent', 'completed']);
    expect(exp.workflows).toHaveLength(1);
    expect(exp.workflows[0].history?.events).toHaveLength(recordedHistory.events.length);

    const csv = toCsv(exp);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines[0]).toBe(CSV_HEADERS.join(','));
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(5); // header, three entries, the final CRLF
    expect(lines[1].startsWith(`2026-11-23T10:00:00.000Z,programme@demo-region.example,Задача создана,created,`)).toBe(true);
    expect(lines[1]).toContain(',2026-12-15T13:00:00.000Z,');
    expect(lines[3]).toContain('"{""late"":true,""comment"":""Программа, «ред. 2», утверждена; см. \\""приложение\\""""}"');
    expect(lines[3]).toContain(`,${exp.entries[2].chainSeq},${exp.entries[2].hash}`);
  });

  it('marks exported entries that were changed behind the append-only trigger', async () => {
    const exp = await buildAuditExport({ dataSource }, { kind: 'task', id: taskA });
    const target = exp.entries[1].chainSeq;
    const tamper = (actor: string) =>
      dataSource.transaction(async (m) => {
        await m.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
        await m.query('UPDATE audit_events SET actor = $1 WHERE chain_seq = $2', [actor, target]);
        await m.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
      });
    await tamper('someone-else@example');
    try {
      const tampered = await buildAuditExport({ dataSource }, { kind: 'task', id: taskA });
      expect(tampered.verification).toEqual({ ok: false, checked: 3, failures: [{ chainSeq: target, reason: expect.stringContaining('изменена') }] });
    } finally {
      await tamper(exp.entries[1].actor);
    }
    expect((await buildAuditExport({ dataSource }, { kind: 'task', id: taskA })).verification.ok).toBe(true);
  });

  it('refuses a scope that names nothing, in Russian', async () => {
    await expect(buildAuditExport({ dataSource }, { kind: 'organization', id: 'no-such-org' })).rejects.toThrow(AuditExportScopeError);
    await expect(buildAuditExport({ dataSource }, { kind: 'task', id: 'no-such-task' })).rejects.toThrow('Задача «no-such-task» не найдена');
  });
});
