/**
 * `npm run bench:burst` (issue 11, benchmark 2): thousands of tasks whose reminders and escalations fall in the same
 * minute, until every e-mail has reached the SMTP sink; then, on the same sink in the same run, the bare baseline:
 * nodemailer sending the very same messages (recipients, subject, bodies, read back from the outbox) straight to the
 * sink with the project's transport settings (lib/mail: one connection per message, no pool) and as many sends in
 * flight as the worker runs activities at once (Temporal's default, 100).
 *
 * The schedule is compressed and derived from the moment the tasks are issued: every task is due at the same instant
 * D, set far enough ahead for all of them to be created first; a reminder 2 s before D, an escalation to the
 * municipality (supervisor) 1 s after D and one to the school's head 2 s after. So each task sends three e-mails inside
 * four seconds of one minute. Tasks are assigned to the schools of the nation's first region and supervised by their
 * municipalities, created by the Temporal client as POST /api/tasks does, each awaited until projected (the real
 * worker, a child process, runs them). A run whose creation overruns the burst is reported as a failure: set
 * BENCH_BURST_CREATION_RATE (tasks per second assumed, default 15) lower on a slow machine.
 *
 * Figures: messages per second from the first scheduled send to the last receipt; lost (an outbox Message-ID never
 * received) and duplicates (a Message-ID received twice), counted by Message-ID at the sink. Targets: ratio of our
 * rate to the baseline's ≥ 0.8, lost 0, duplicates 0.
 */
import nodemailer from 'nodemailer';
import { DateTime } from 'luxon';
import { DEADLINE_TASK_WORKFLOW, deadlineTaskWorkflowId, taskReadyUpdate, type DeadlineTaskInput } from '../../libs/contracts/deadline-task';
import { notificationMessageId } from '../../activities/task-activities';
import { benchSizes, BENCH_PORTS, inParallel, log, rssMiB, runBench, sleep, startRealStack, type RealStack } from './bench-stack';
import { generateNation, NATION, writeNation } from './nation';
import { BenchReport } from './results';

const SIZES = [500, 1000, 2000, 4000] as const;
/** The schedule's steps at the first deadline revision, as the task workflow names them. */
const STEP_KEYS = ['r1-reminder-1', 'r1-escalation-1', 'r1-escalation-2'];
const MESSAGES_PER_TASK = STEP_KEYS.length;
/** The worker process's MAIL_MESSAGE_ID_DOMAIN (test/support/worker-process.ts). */
const MESSAGE_ID_DOMAIN = 'uplift.test';
/** Task creations per second assumed when setting the shared deadline (a loaded two-core machine manages more). */
const CREATION_RATE = Number(process.env.BENCH_BURST_CREATION_RATE ?? 15);
const WORKER_ACTIVITY_SLOTS = 100;
const TARGETS = { ratio: 0.8 };

interface Receipts {
  /** Message-ID → receipt times (ms), sampled every 20 ms. */
  byId: Map<string, number[]>;
  last: number;
}

/** Watches the sink until every expected Message-ID has arrived (or `timeoutMs` passes), noting when each did. */
async function collect(stack: RealStack, from: number, expected: Set<string>, timeoutMs: number): Promise<Receipts> {
  const byId = new Map<string, number[]>();
  let seen = from;
  let found = 0;
  let last = 0;
  const until = Date.now() + timeoutMs;
  while (found < expected.size && Date.now() < until) {
    const now = Date.now();
    for (; seen < stack.sink.messages.length; seen++) {
      const id = stack.sink.messages[seen].messageId;
      const times = byId.get(id) ?? [];
      if (times.length === 0 && expected.has(id)) found += 1;
      times.push(now);
      byId.set(id, times);
      last = now;
    }
    await sleep(20);
  }
  // A duplicate may trail the last first receipt: give late ones two seconds to show.
  await sleep(2000);
  for (; seen < stack.sink.messages.length; seen++) {
    const id = stack.sink.messages[seen].messageId;
    byId.set(id, [...(byId.get(id) ?? []), Date.now()]);
  }
  return { byId, last };
}

function lostAndDuplicates(expected: Set<string>, receipts: Receipts): { lost: number; duplicates: number; stray: number } {
  let lost = 0;
  for (const id of expected) if (!receipts.byId.has(id)) lost += 1;
  let duplicates = 0;
  let stray = 0;
  for (const [id, times] of receipts.byId) {
    if (!expected.has(id)) stray += times.length;
    else duplicates += times.length - 1;
  }
  return { lost, duplicates, stray };
}

async function burst(stack: RealStack, size: number, report: BenchReport): Promise<string[]> {
  const region = generateNation(NATION).regions[0];
  await writeNation(stack.dataSource, [region]);
  const zone = region.timeZone;
  const lead = 20 + size / CREATION_RATE;
  const dueAt = DateTime.now().plus({ seconds: lead }).startOf('second');
  const firstSendAt = dueAt.minus({ seconds: 2 }).toMillis();
  const taskIds = Array.from({ length: size }, (_, i) => `burst-${size}-${i}`);
  log(`[burst] ${size} tasks due at ${dueAt.toISO()} (${lead.toFixed(0)} s ahead)`);

  const sinkStart = stack.sink.messages.length;
  const createStarted = Date.now();
  await inParallel(taskIds, 16, async (taskId, i) => {
    const school = region.schools[i % region.schools.length];
    const input: DeadlineTaskInput = {
      taskId,
      title: `Отчёт о мониторинге, задача ${i + 1}`,
      assigneeOrganizationId: school.id,
      supervisorOrganizationId: school.municipalityId,
      deadline: { localDateTime: dueAt.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss"), timeZone: zone, calendar: 'calendar-days' },
      policy: {
        reminders: [{ secondsBefore: 2 }],
        escalations: [
          { secondsAfter: 1, notify: 'supervisor' },
          { secondsAfter: 2, notify: 'assignee_head' },
        ],
      },
      createdBy: region.admin.email,
    };
    const handle = await stack.client.workflow.start(DEADLINE_TASK_WORKFLOW, { taskQueue: stack.taskQueue, workflowId: deadlineTaskWorkflowId(taskId), args: [input] });
    // What POST /api/tasks waits for: the task projected, its timers set. A start alone may sit in the worker's queue
    // past the burst, and a task that begins after its own reminders and escalations sends none of them.
    await handle.executeUpdate(taskReadyUpdate);
  });
  const createdAt = Date.now();
  log(`[burst] ${size} tasks created in ${((createdAt - createStarted) / 1000).toFixed(1)} s; ${((firstSendAt - createdAt) / 1000).toFixed(1)} s before the first send`);
  const problems: string[] = [];
  if (createdAt > firstSendAt) problems.push(`${size} tasks: creation overran the burst by ${((createdAt - firstSendAt) / 1000).toFixed(1)} s (lower BENCH_BURST_CREATION_RATE)`);

  // Our path: every task's three Message-IDs (deterministic, as the outbox writes them) must arrive, each once.
  const expected = new Set(taskIds.flatMap((id) => STEP_KEYS.map((step) => notificationMessageId(id, step, MESSAGE_ID_DOMAIN))));
  const ours = await collect(stack, sinkStart, expected, Math.max(0, firstSendAt - Date.now()) + 30 * 60_000);
  const oursCount = lostAndDuplicates(expected, ours);
  const workerRss = rssMiB(stack.worker.child.pid);
  const oursSeconds = (ours.last - firstSendAt) / 1000;
  // The messages as sent, for the baseline to send again.
  const rows: { message_id: string; recipients: { fullName: string; email: string }[]; subject: string; body_text: string; body_html: string }[] =
    await stack.dataSource.query(
      `SELECT message_id, recipients, subject, body_text, body_html FROM notifications WHERE task_id = ANY($1) AND status = 'sent'`,
      [taskIds],
    );
  if (rows.length < expected.size) problems.push(`${size} tasks: only ${rows.length} of ${expected.size} outbox rows were sent`);

  // The baseline: the same messages, straight from nodemailer, under Message-IDs of their own.
  const transport = nodemailer.createTransport(stack.sink.url, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as never);
  const baselineIds = new Set(rows.map((r) => r.message_id.replace(/^</, '<baseline.')));
  const baselineSinkStart = stack.sink.messages.length;
  const baselineStarted = Date.now();
  const collecting = collect(stack, baselineSinkStart, baselineIds, 30 * 60_000);
  await inParallel(rows, WORKER_ACTIVITY_SLOTS, (r) =>
    transport.sendMail({
      from: 'Uplift <no-reply@uplift.test>',
      to: r.recipients.map((p) => ({ name: p.fullName, address: p.email })),
      subject: r.subject,
      text: r.body_text,
      html: r.body_html,
      messageId: r.message_id.replace(/^</, '<baseline.'),
    }),
  );
  const baseline = await collecting;
  transport.close();
  const baselineCount = lostAndDuplicates(baselineIds, baseline);
  const baselineSeconds = (baseline.last - baselineStarted) / 1000;

  const oursRate = rows.length / oursSeconds;
  const baselineRate = rows.length / baselineSeconds;
  report.addSize({
    size: `${size} tasks`,
    items: rows.length,
    seconds: oursSeconds,
    baselineSeconds,
    figures: {
      messagesPerSecond: oursRate,
      baselineMessagesPerSecond: baselineRate,
      rateRatio: oursRate / baselineRate,
      lost: oursCount.lost,
      duplicates: oursCount.duplicates,
      strayReceipts: oursCount.stray,
      baselineLost: baselineCount.lost,
      baselineDuplicates: baselineCount.duplicates,
      creationSeconds: (createdAt - createStarted) / 1000,
      workerRssMiB: workerRss,
    },
  });
  report.ratio(`${size} tasks: rate ÷ baseline rate`, oursRate / baselineRate);
  report.target(`${size} tasks: rate ÷ baseline rate`, oursRate / baselineRate, `≥ ${TARGETS.ratio}`, oursRate / baselineRate >= TARGETS.ratio);
  report.target(`${size} tasks: lost`, oursCount.lost, '0', oursCount.lost === 0 && rows.length === expected.size);
  report.target(`${size} tasks: duplicates`, oursCount.duplicates, '0', oursCount.duplicates === 0);
  return problems;
}

async function bench(): Promise<string[]> {
  // BENCH_BURST_SIZES=100,300 replaces the sizes (a check on a busy machine).
  const sizes = process.env.BENCH_BURST_SIZES ? process.env.BENCH_BURST_SIZES.split(',').map(Number) : benchSizes(SIZES);
  const report = new BenchReport('deadline-burst', 'reminders and escalations of thousands of tasks in one minute, vs nodemailer straight to the sink', {
    sizes: sizes.map((n) => `${n} tasks`),
    messagesPerTask: MESSAGES_PER_TASK,
    schedule: 'one deadline for all; reminder 2 s before, escalations 1 s and 2 s after',
    baselineInFlight: WORKER_ACTIVITY_SLOTS,
    transport: 'nodemailer, one connection per message (lib/mail settings)',
  });
  const problems: string[] = [];
  for (const size of sizes) {
    const stack = await startRealStack(`burst-${size}`, { basePort: BENCH_PORTS.burst });
    try {
      problems.push(...(await burst(stack, size, report)));
    } finally {
      await stack.close();
    }
  }
  report.growth();
  return [...problems, ...report.finish()];
}

runBench(bench);
