/**
 * Officials' names and e-mail addresses never reach Temporal's storage in clear: the suite's own stack (API, worker,
 * their clients, all with the payload codec) runs a task through a reminder to its recipients and a completion by a
 * named official against a Temporal dev server that keeps its state in an SQLite file; then the file's raw bytes are
 * searched for the address and the name. The same search finds both in the file of a stack without the codec, so
 * the test can fail.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../infra/temporal/dev-server';
import {
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  SEARCH_ATTRIBUTE_REGISTRATIONS,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
import { fetchDecodedHistory } from '../../libs/temporal-codec';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { buildWorkerActivities } from '../support/task-activities';
import { DEMO_PASSWORD, localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { openHarness, workflowBundle } from '../support/worker-harness';
import { freePort } from '../../infra/support/ports';

const ZONE = 'Asia/Yekaterinburg';
const SEVERNY = 'demo-mun-severny';
const ADMIN = 'programme@demo-region.example';
const suffix = uniqueSuffix();
const scratch = mkdtempSync(path.join(os.tmpdir(), 'uplift-payload-encryption-'));

/** A dev server of the suite's Temporal CLI whose whole state is in `<scratch>/<name>/temporal.db`. */
async function fileBackedTemporal(name: string): Promise<{ server: TemporalDevServerHandle; dir: string }> {
  const dir = path.join(scratch, name);
  const server = await startTemporalDevServer({
    cliPath: requireTestEnv('UPLIFT_TEST_TEMPORAL_CLI'),
    port: await freePort(),
    dbFile: path.join(dir, 'temporal.db'),
    searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
  });
  return { server, dir };
}

/** Every byte the stopped server left: the database and any journal or write-ahead log beside it. */
function storedBytes(dir: string): Buffer {
  const files = readdirSync(dir).filter((f) => f.startsWith('temporal.db'));
  expect(files).toContain('temporal.db');
  return Buffer.concat(files.map((f) => readFileSync(path.join(dir, f))));
}

const found = (bytes: Buffer, text: string): boolean => bytes.includes(Buffer.from(text, 'utf8'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('personal data in the Temporal server’s storage', () => {
  const official = {
    fullName: `Засекреченная Анна Петровна`,
    email: `codec.${suffix}@severny.demo-region.example`,
    password: `Codec-${suffix}-пароль`,
  };

  it('is encrypted: the suite’s stack leaves neither the e-mail address nor the name of an official in the file', async () => {
    const { server, dir } = await fileBackedTemporal('encrypted');
    // The suite's harness and API reach Temporal at this variable: for this file, the file-backed server.
    const suiteAddress = process.env.UPLIFT_TEST_TEMPORAL_ADDRESS;
    process.env.UPLIFT_TEST_TEMPORAL_ADDRESS = server.address;
    let stack: ApiStack | undefined;
    const taskId = `codec-${suffix}`;
    try {
      stack = await startApiStack(`payload-encryption-${suffix}`);
      const admin = await stack.anonymous.as(ADMIN, DEMO_PASSWORD);
      const added = await admin.post(`/api/organizations/${SEVERNY}/people`, {
        fullName: official.fullName,
        email: official.email,
        position: 'Муниципальный координатор',
        role: 'municipal_coordinator',
        password: official.password,
      });
      expect(added.status).toBe(201);

      const created = await admin.post('/api/tasks', {
        id: taskId,
        title: 'Представить отчёт о мониторинге (шифрование данных процессов)',
        assigneeOrganizationId: SEVERNY,
        dueAt: localDateTimeIn(ZONE, 8),
        calendar: 'calendar-days',
        policy: { reminders: [{ secondsBefore: 4 }], escalations: [], minimumLeadSeconds: 8 },
      });
      expect(created.status).toBe(201);
      const sink = stack.sink;
      await sink.waitFor(() => sink.forTask(taskId).some((m) => m.to.includes(official.email)), 30_000);

      const named = await stack.anonymous.as(official.email, official.password);
      const completion = await named.post(`/api/tasks/${taskId}/complete`, { comment: `Отчёт направлен. Исполнитель: ${official.fullName}` });
      expect(completion.status).toBe(200);
      await pollUntil(
        'the completion by the named official in the task',
        async () => {
          const task = await admin.get(`/api/tasks/${taskId}`);
          return task.body.status === 'completed' && task.body.completedBy === official.email ? task : undefined;
        },
        30_000,
      );
      // The data did reach Temporal: the history, decoded with the stack's codec, holds the address and the name.
      const history = await fetchDecodedHistory(stack.harness.env.client, stack.harness.env.client.workflow.getHandle(deadlineTaskWorkflowId(taskId)));
      const payloadTexts = [...historyToJSON(history).matchAll(/"data": "([A-Za-z0-9+/=]+)"/g)]
        .map((m) => Buffer.from(m[1], 'base64').toString('utf8'))
        .join('\n');
      expect(payloadTexts).toContain(official.email);
      expect(payloadTexts).toContain(official.fullName);
    } finally {
      await stack?.close();
      process.env.UPLIFT_TEST_TEMPORAL_ADDRESS = suiteAddress;
      await server.stop();
    }

    const bytes = storedBytes(dir);
    // The file is the right one and searchable: what is not a payload (the workflow ID) is there in clear.
    expect(found(bytes, deadlineTaskWorkflowId(taskId))).toBe(true);
    expect(found(bytes, official.email)).toBe(false);
    expect(found(bytes, official.fullName)).toBe(false);
    expect(found(bytes, ADMIN)).toBe(false);
  });

  it('would be found without the codec: the same search finds the address and the name in a plain server’s file', async () => {
    const { server, dir } = await fileBackedTemporal('plain');
    const sink = await SmtpSink.start();
    const taskQueue = `payload-plain-${suffix}`;
    const input: DeadlineTaskInput = {
      taskId: `plain-${suffix}`,
      title: 'Представить отчёт о мониторинге (без шифрования)',
      assigneeOrganizationId: SEVERNY,
      supervisorOrganizationId: 'demo-ministry',
      deadline: { localDateTime: localDateTimeIn(ZONE, 6), timeZone: ZONE, calendar: 'calendar-days' },
      policy: { reminders: [{ secondsBefore: 3 }], escalations: [], minimumLeadSeconds: 6 },
      createdBy: ADMIN,
    };
    // The suite's database and activities, but a client and a worker with Temporal's default data converter.
    const harness = await openHarness(sink.url);
    const env = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: buildWorkerActivities(harness.dataSource, harness.mailer, env.client),
      });
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
          taskQueue,
          workflowId: deadlineTaskWorkflowId(input.taskId),
          args: [input],
        });
        await handle.executeUpdate(taskReadyUpdate);
        await sink.waitFor(() => sink.forTask(input.taskId).length === 1, 30_000);
        await handle.executeUpdate(completeTaskUpdate, {
          args: [{ completedBy: official.email, result: { comment: `Отчёт направлен. Исполнитель: ${official.fullName}` } }],
        });
        await handle.result();
      });
    } finally {
      await env.teardown();
      await harness.close();
      await sink.stop();
      await server.stop();
    }

    const bytes = storedBytes(dir);
    expect(found(bytes, official.email)).toBe(true);
    expect(found(bytes, official.fullName)).toBe(true);
    expect(found(bytes, ADMIN)).toBe(true);
  });
});
