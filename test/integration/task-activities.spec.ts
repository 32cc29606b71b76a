import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import type { TaskActivities } from '../../activities';
import type { ScheduledNotification, TaskEvent, TaskSnapshot } from '../../libs/contracts/deadline-task';
import { DEFAULT_NOTIFICATION_POLICY } from '../../libs/contracts/deadline-task';
import { resolveDeadline } from '../../libs/domain/deadline';
import { Mailer } from '../../libs/mail';
import { dataSourceOptions, DirectoryRepository, seedDemoRegion, TaskRepository } from '../../libs/persistence';
import { SmtpSink } from '../support/smtp-sink';
import { buildTaskActivities } from '../support/task-activities';
import { requireTestEnv, uniqueSuffix } from '../support/test-config';

let dataSource: DataSource;
let sink: SmtpSink;
const mailers: Mailer[] = [];

beforeAll(async () => {
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  await seedDemoRegion(dataSource);
  sink = await SmtpSink.start();
});

afterAll(async () => {
  mailers.forEach((m) => m.close());
  await dataSource?.destroy();
  await sink?.stop();
});

function activities(smtpUrl = sink.url): TaskActivities {
  const mailer = new Mailer(smtpUrl, 'Uplift <no-reply@uplift.test>');
  mailers.push(mailer);
  return buildTaskActivities(dataSource, mailer);
}

/** Activities run inside Temporal's activity context (for logging); this is the SDK's harness for that. */
function inActivity<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  // Errors only: the SMTP-down test fails an attempt on purpose.
  return new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(fn, ...args);
}

function snapshot(overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  const taskId = `act-${uniqueSuffix()}`;
  return {
    taskId,
    workflowId: `task:${taskId}`,
    title: 'Представить отчёт о мониторинге за I квартал',
    status: 'open',
    assigneeOrganizationId: 'demo-school-severny-1',
    supervisorOrganizationId: 'demo-mun-severny',
    deadline: resolveDeadline({ localDateTime: '2026-12-15T18:00', timeZone: 'Asia/Yekaterinburg', calendar: 'working-days' }),
    deadlineRevision: 1,
    policy: DEFAULT_NOTIFICATION_POLICY,
    schedule: [],
    sentSteps: [],
    createdBy: 'programme@demo-region.example',
    createdAt: '2026-11-23T10:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

const created = (seq = 1): TaskEvent => ({ seq, type: 'created', actor: 'programme@demo-region.example', occurredAt: '2026-11-23T10:00:00.000Z', data: {} });
const reminder: ScheduledNotification = { stepKey: 'r1-reminder-1', kind: 'reminder', target: 'assignee', at: '2026-12-08T04:00:00Z' };

async function auditCount(taskId: string): Promise<number> {
  const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM audit_events WHERE subject_id = $1`, [taskId]);
  return count as number;
}

describe('task projection against real PostgreSQL', () => {
  it('stores a retried event once and never rolls the task back to an older version', async () => {
    const act = activities();
    const task = snapshot();
    await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });
    await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });
    expect(await auditCount(task.taskId)).toBe(1);

    const done = { ...task, status: 'completed' as const, completedAt: '2026-11-24T10:00:00.000Z', version: 2 };
    await inActivity(act.projectTaskEvent, {
      snapshot: done,
      event: { seq: 2, type: 'completed', actor: 'director@school1.severny.demo-region.example', occurredAt: done.completedAt, data: {} },
    });
    // A late retry of the creation must not reopen the task.
    await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });
    const row = await new TaskRepository(dataSource).find(task.taskId);
    expect(row?.status).toBe('completed');
    expect(row?.version).toBe(2);
    expect(await auditCount(task.taskId)).toBe(2);
  });

  it('refuses to edit or delete the audit log at the database level', async () => {
    const task = snapshot();
    await inActivity(activities().projectTaskEvent, { snapshot: task, event: created() });
    await expect(dataSource.query(`UPDATE audit_events SET actor = 'someone' WHERE subject_id = $1`, [task.taskId])).rejects.toThrow(
      /append-only/,
    );
    await expect(dataSource.query(`DELETE FROM audit_events WHERE subject_id = $1`, [task.taskId])).rejects.toThrow(/append-only/);
  });
});

describe('reminder and escalation e-mails through the outbox and a real SMTP server', () => {
  it('sends one Russian e-mail per step, with a deterministic Message-ID, however often the activity is retried', async () => {
    const act = activities();
    const task = snapshot();
    await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });

    const first = await inActivity(act.sendTaskNotification, { step: reminder, snapshot: task });
    const again = await inActivity(act.sendTaskNotification, { step: reminder, snapshot: task });
    expect(first).toEqual(again);
    expect(first.status).toBe('sent');
    expect(first.messageId).toBe(`<task.${task.taskId}.r1-reminder-1@uplift.test>`);

    await sink.waitFor(() => sink.forTask(task.taskId).length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    const mails = sink.forTask(task.taskId);
    expect(mails).toHaveLength(1);
    expect(mails[0].to.sort()).toEqual(['deputy@school1.severny.demo-region.example', 'director@school1.severny.demo-region.example']);
    // Tuesday 8 December 09:00 to Tuesday 15 December: 9, 10, 11, 14 and 15 December are left.
    expect(mails[0].subject).toBe('Напоминание: осталось 5 рабочих дней — задача «Представить отчёт о мониторинге за I квартал», срок 15.12.2026 18:00');
    expect(mails[0].text).toContain('МБОУ «СОШ № 1» п. Северный');
    expect(mails[0].text).toContain('15.12.2026 18:00 (Asia/Yekaterinburg)');
    expect(mails[0].html).toContain(`href="http://uplift.test/tasks/${task.taskId}"`);

    const [row] = await dataSource.query(`SELECT status, attempts, sent_at FROM notifications WHERE task_id = $1`, [task.taskId]);
    expect(row).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it("reminds the people who act on the ministry's task, never its auditor", async () => {
    const act = activities();
    const task = snapshot({ assigneeOrganizationId: 'demo-ministry', supervisorOrganizationId: 'demo-ministry' });
    await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });
    const delivery = await inActivity(act.sendTaskNotification, { step: reminder, snapshot: task });
    expect(delivery.status).toBe('sent');
    expect(delivery.recipients).toEqual(expect.arrayContaining(['programme@demo-region.example', 'reviewer@demo-region.example']));
    expect(delivery.recipients).not.toContain('audit@demo-region.example');
  });

  it('sends to the others when the relay refuses one recipient for good, and records the refused address', async () => {
    const picky = await SmtpSink.start({ rejectRecipients: ['reviewer@demo-region.example'] });
    try {
      const act = activities(picky.url);
      const task = snapshot({ assigneeOrganizationId: 'demo-ministry', supervisorOrganizationId: 'demo-ministry' });
      await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });
      const delivery = await inActivity(act.sendTaskNotification, { step: reminder, snapshot: task });
      expect(delivery).toMatchObject({ status: 'sent', refusedRecipients: ['reviewer@demo-region.example'] });
      await picky.waitFor(() => picky.forTask(task.taskId).length === 1);
      // The relay accepted the message for the others and refused the one mailbox at RCPT TO.
      expect(picky.refusedRecipients).toEqual(['reviewer@demo-region.example']);
      const [row] = await dataSource.query(`SELECT status, last_error FROM notifications WHERE task_id = $1`, [task.taskId]);
      expect(row).toMatchObject({ status: 'sent', last_error: expect.stringContaining('reviewer@demo-region.example') });
      // A retry of the activity finds the row sent and sends nothing again.
      await inActivity(act.sendTaskNotification, { step: reminder, snapshot: task });
      expect(picky.forTask(task.taskId)).toHaveLength(1);
    } finally {
      await picky.stop();
    }
  });

  it('keeps the message pending with the SMTP error while the relay is down, then sends it once', async () => {
    const task = snapshot();
    await inActivity(activities().projectTaskEvent, { snapshot: task, event: created() });
    const escalation: ScheduledNotification = { stepKey: 'r1-escalation-1', kind: 'escalation', target: 'assignee_head', at: task.deadline.dueAt };

    await expect(inActivity(activities('smtp://127.0.0.1:1').sendTaskNotification, { step: escalation, snapshot: task })).rejects.toThrow();
    const [pending] = await dataSource.query(`SELECT status, attempts, last_error FROM notifications WHERE task_id = $1`, [task.taskId]);
    expect(pending.status).toBe('pending');
    expect(pending.attempts).toBe(1);
    expect(pending.last_error).toMatch(/ECONNREFUSED|connect/i);

    const delivered = await inActivity(activities().sendTaskNotification, { step: escalation, snapshot: task });
    expect(delivered).toMatchObject({ status: 'sent', recipients: ['director@school1.severny.demo-region.example'] });
    await sink.waitFor(() => sink.forTask(task.taskId).length === 1);
    expect(sink.forTask(task.taskId)[0].subject).toContain('Просрочена задача');
  });

  it('records a step with nobody to write to instead of failing the workflow', async () => {
    const directory = new DirectoryRepository(dataSource);
    const orgId = `empty-${uniqueSuffix()}`.slice(0, 60);
    await directory.insertOrganization({ id: orgId, kind: 'school', name: 'Школа без сотрудников', regionCode: 'demo', timeZone: 'Asia/Yekaterinburg' });
    const task = snapshot({ assigneeOrganizationId: orgId });
    const act = activities();
    await inActivity(act.projectTaskEvent, { snapshot: task, event: created() });
    const result = await inActivity(act.sendTaskNotification, { step: reminder, snapshot: task });
    expect(result).toMatchObject({ status: 'no_recipients', recipients: [] });
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.forTask(task.taskId)).toHaveLength(0);
  });
});
