/**
 * Fault scenario 4: the SMTP relay down for two minutes while reminders and escalations fall due, and one address
 * the relay refuses for good (550). E-mails wait and go out once it is back, no escalation is skipped; the refusal is
 * kept on the task's outbox row (shown on the task as its last error) and the letter goes to the organisation's
 * other people instead.
 */
import { DEADLINE_TASK_WORKFLOW, deadlineTaskWorkflowId, type DeadlineTaskInput } from '../../libs/contracts/deadline-task';
import { recordFaultFigures } from '../support/fault-figures';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { TcpProxy } from '../support/tcp-proxy';
import { localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { openHarness, type Harness } from '../support/worker-harness';
import { startWorkerProcess, writeWorkflowBundle, type WorkerProcess } from '../support/worker-process';

const TASKS = Number(process.env.FAULTS_SMTP_TASKS ?? 20);
const OUTAGE_SECONDS = Number(process.env.FAULTS_SMTP_OUTAGE_SECONDS ?? 120);
const STOP_AT_RECEIVED = Math.ceil(TASKS / 3);
const REFUSED = 'head@vostochny.demo-region.example';
const VOSTOCHNY_COORDINATOR = 'coordinator@vostochny.demo-region.example';
const ZONE = 'Europe/Moscow';
const suffix = uniqueSuffix();
const taskQueue = `fault-smtp-${suffix}`;

jest.setTimeout(20 * 60_000);

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
let sink: SmtpSink;
let relay: TcpProxy;
let harness: Harness;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  sink = await SmtpSink.start({ rejectRecipients: [REFUSED] });
  relay = await TcpProxy.start(sink.port);
  harness = await openHarness(`smtp://127.0.0.1:${relay.port}`);
});

afterAll(async () => {
  await worker?.kill();
  await harness?.close();
  await relay?.down();
  await sink?.stop();
});

function taskInput(taskId: string, organizationId: string, dueInSeconds: number, title: string): DeadlineTaskInput {
  return {
    taskId,
    title,
    assigneeOrganizationId: organizationId,
    supervisorOrganizationId: 'demo-ministry',
    deadline: { localDateTime: localDateTimeIn(ZONE, dueInSeconds), timeZone: ZONE, calendar: 'calendar-days' },
    policy: { reminders: [{ secondsBefore: 12 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 13 },
    createdBy: 'programme@demo-region.example',
  };
}

describe('the SMTP relay down for two minutes, and one address refused for good', () => {
  it('sends every e-mail once the relay is back, skips no escalation, and re-sends a refused one to the others', async () => {
    const startedAt = Date.now();
    worker = await startWorkerProcess({
        workflowBundlePath: await writeWorkflowBundle(),
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      smtpUrl: `smtp://127.0.0.1:${relay.port}`,
    });
    const client = harness.env.client;
    const taskIds = Array.from({ length: TASKS }, (_, i) => `fault-smtp-${suffix}-${i}`);
    const refusedTaskId = `fault-smtp-${suffix}-refused`;
    for (const [i, id] of taskIds.entries()) {
      await client.workflow.start(DEADLINE_TASK_WORKFLOW, {
        taskQueue,
        workflowId: deadlineTaskWorkflowId(id),
        args: [taskInput(id, 'demo-mun-yuzhny', 25 + Math.round((40 * i) / TASKS), `Сведения о питании ${i + 1}`)],
      });
    }
    // Its head's mailbox is refused: the reminder still reaches the coordinator, the escalation goes to her instead.
    await client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue,
      workflowId: deadlineTaskWorkflowId(refusedTaskId),
      args: [taskInput(refusedTaskId, 'demo-mun-vostochny', 30, 'Сведения о питании (адрес руководителя недоступен)')],
    });
    const expectedIds = [
      ...taskIds.flatMap((id) => [`<task.${id}.r1-reminder-1@uplift.test>`, `<task.${id}.r1-escalation-1@uplift.test>`]),
      `<task.${refusedTaskId}.r1-reminder-1@uplift.test>`,
      `<task.${refusedTaskId}.r1-escalation-1-fallback@uplift.test>`,
    ];
    const ours = () => sink.messages.filter((m) => expectedIds.includes(m.messageId));

    await sink.waitFor(() => ours().length >= STOP_AT_RECEIVED, 120_000);
    await relay.down();
    const downAt = Date.now();
    const receivedAtDown = ours().length;
    log(`relay down at ${receivedAtDown} e-mails received`);
    // Down for the whole outage: nothing can arrive meanwhile (the sink is only reachable through the relay).
    await new Promise((r) => setTimeout(r, OUTAGE_SECONDS * 1000));
    const outboxDuringOutage: { status: string; n: string }[] = await harness.dataSource.query(
      `SELECT status, count(*) AS n FROM notifications WHERE task_id = ANY($1) GROUP BY status`,
      [[...taskIds, refusedTaskId]],
    );
    expect(ours().length).toBe(receivedAtDown);
    await relay.up();
    const upAt = Date.now();
    log(`relay up after ${((upAt - downAt) / 1000).toFixed(0)} s`);

    const firstAfter = await pollUntil('an e-mail after the relay is back', async () => (ours().length > receivedAtDown ? Date.now() : undefined), 400_000);
    await sink.waitFor(() => new Set(ours().map((m) => m.messageId)).size >= expectedIds.length, 600_000);
    const deliveredAt = Date.now();

    const audit = await pollUntil(
      'every reminder and escalation recorded',
      async () => {
        const found: { type: string; n: string }[] = await harness.dataSource.query(
          `SELECT type, count(*) AS n FROM audit_events WHERE subject_id = ANY($1) GROUP BY type`,
          [[...taskIds, refusedTaskId]],
        );
        const byType = Object.fromEntries(found.map((r) => [r.type, Number(r.n)]));
        return byType.reminder_sent === TASKS + 1 && byType.escalation_sent === TASKS + 1 ? byType : undefined;
      },
      120_000,
    );
    const refusedRows: { step_key: string; status: string; last_error: string | null; recipients: { email: string }[] }[] =
      await harness.dataSource.query(`SELECT step_key, status, last_error, recipients FROM notifications WHERE task_id = $1 ORDER BY step_key`, [
        refusedTaskId,
      ]);
    const received = ours();
    const distinct = new Set(received.map((m) => m.messageId));
    recordFaultFigures({
      scenario: '4-smtp-outage',
      fault: `SMTP relay down ${OUTAGE_SECONDS} s at ${receivedAtDown} e-mails received; one mailbox refused with 550`,
      faultsInjected: 2,
      emailsExpected: expectedIds.length,
      delivered: distinct.size,
      lost: expectedIds.length - distinct.size,
      duplicated: received.length - distinct.size,
      recoverSeconds: [(firstAfter - upAt) / 1000],
      extra: {
        'outbox while down': outboxDuringOutage.map((r) => `${r.status} ${r.n}`).join(', '),
        'all delivered after relay back (s)': Math.round((deliveredAt - upAt) / 1000),
        'escalations recorded': `${audit.escalation_sent} of ${TASKS + 1}`,
        'refusals (550) seen by the relay': sink.refusedRecipients.length,
      },
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    });

    await Promise.all(
      [...taskIds, refusedTaskId].map((id) => client.workflow.getHandle(deadlineTaskWorkflowId(id)).terminate('fault test finished').catch(() => undefined)),
    );

    expect(distinct.size).toBe(expectedIds.length);
    expect(received.length).toBe(distinct.size);
    expect(audit).toMatchObject({ reminder_sent: TASKS + 1, escalation_sent: TASKS + 1 });
    // The refusal is kept on the original row (the task shows it), the stand-in went to the coordinator.
    expect(refusedRows.map((r) => [r.step_key, r.status])).toEqual([
      ['r1-escalation-1', 'pending'],
      ['r1-escalation-1-fallback', 'sent'],
      ['r1-reminder-1', 'sent'],
    ]);
    expect(refusedRows[0].last_error).toContain('Адрес отклонён');
    expect(refusedRows[1].recipients.map((r) => r.email)).toEqual([VOSTOCHNY_COORDINATOR]);
    expect(sink.refusedRecipients).toContain(REFUSED);
    const fallbackMail = received.find((m) => m.messageId.includes('fallback'));
    expect(fallbackMail?.to).toEqual([VOSTOCHNY_COORDINATOR]);
  });
});
