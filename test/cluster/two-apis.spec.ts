import { Client, Connection } from '@temporalio/client';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { addCalendarDays, isWorkingDay } from '../../libs/domain/calendar';
import { dataSourceOptions } from '../../libs/persistence';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { ApiClient, type ApiResponse } from '../support/http';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { startWorkerProcess, writeWorkflowBundle, type WorkerProcess } from '../support/worker-process';
import { freePort } from '../../infra/support/ports';

// `npm run test:cluster`: the production layout on the Temporal cluster on PostgreSQL, two API processes and two
// worker processes on one task queue. Tasks are created through both APIs and each completed through the other one;
// API A is SIGKILLed once a third of the completions have been answered, and what it had not answered is sent again
// to API B with the same Idempotency-Key, as a load balancer's client would. Overridable: CLUSTER_API_TASKS.
const COUNT = Number(process.env.CLUSTER_API_TASKS ?? 60);
const IN_FLIGHT = 8;
const ZONE = 'Europe/Moscow';
const SEVERNY = 'demo-mun-severny';
const PROGRAMME = 'programme@demo-region.example';
const SEVERNY_COORDINATOR = 'coordinator@severny.demo-region.example';

jest.setTimeout(20 * 60_000);

const log = (line: string) => process.stdout.write(`[cluster-apis] ${line}\n`);

/** A working day more than a week ahead: no reminder of the default policy falls due while the test runs. */
function dueDate(): string {
  let date = addCalendarDays(DateTime.now().setZone(ZONE).toISODate() as string, 8);
  while (!isWorkingDay(date)) date = addCalendarDays(date, 1);
  return date;
}

/** One request's outcome: which API gave the final answer, after how many tries. */
interface Answer {
  response: ApiResponse;
  by: 'A' | 'B';
  tries: number;
}

describe('two API processes and two worker processes on a Temporal cluster on PostgreSQL', () => {
  const suffix = uniqueSuffix();
  const taskQueue = `cluster-apis-${suffix}`;
  let sink: SmtpSink;
  let dataSource: DataSource;
  const workers: WorkerProcess[] = [];
  const apis: { A?: ApiProcess; B?: ApiProcess } = {};

  beforeAll(async () => {
    sink = await SmtpSink.start();
    dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
    const common = {
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      smtpUrl: sink.url,
    };
    const bundlePath = await writeWorkflowBundle();
    const [portA, portB] = [await freePort(), await freePort()];
    // Started together, as a deployment's replicas are: each API seeds the demo users on its start.
    const started = Date.now();
    const [workerA, workerB, apiA, apiB] = await Promise.all([
      startWorkerProcess({ ...common, workflowBundlePath: bundlePath }),
      startWorkerProcess({ ...common, workflowBundlePath: bundlePath }),
      startApiProcess({ ...common, port: portA }),
      startApiProcess({ ...common, port: portB }),
    ]);
    workers.push(workerA, workerB);
    Object.assign(apis, { A: apiA, B: apiB });
    log(`2 workers and 2 APIs up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    await Promise.all([apis.A?.kill(), apis.B?.kill(), ...workers.map((w) => w.kill())]);
    await dataSource?.destroy();
    await sink?.stop();
  });

  it('serve tasks created through one API and completed through the other, and lose nothing when one API is SIGKILLed', async () => {
    const apiA = apis.A!;
    const apiB = apis.B!;
    // One log-in each, through API A: the session lives in PostgreSQL, so B takes A's tokens.
    const programmeA = await new ApiClient(apiA.baseUrl).as(PROGRAMME, DEMO_PASSWORD);
    const coordinatorA = await new ApiClient(apiA.baseUrl).as(SEVERNY_COORDINATOR, DEMO_PASSWORD);
    const on = (api: ApiProcess, client: ApiClient) => new ApiClient(api.baseUrl, client.seen).withToken(client.token);
    const clients = {
      programme: { A: programmeA, B: on(apiB, programmeA) },
      coordinator: { A: coordinatorA, B: on(apiB, coordinatorA) },
    };
    const due = dueDate();
    const ids = Array.from({ length: COUNT }, (_, i) => `cluster-api-${suffix}-${i}`);
    const creator = (i: number): 'A' | 'B' => (i % 2 === 0 ? 'A' : 'B');
    const completer = (i: number): 'A' | 'B' => (i % 2 === 0 ? 'B' : 'A');

    let aKilled = false;
    /**
     * Sends the request to `first`; when that API is gone (connection refused or reset), or has answered 409 for a
     * claim its dead twin still holds, sends it again to B under the same Idempotency-Key until a final answer.
     */
    const send = async (first: 'A' | 'B', request: (api: 'A' | 'B') => Promise<ApiResponse>): Promise<Answer> => {
      let api = first;
      for (let tries = 1; ; tries++) {
        if (api === 'A' && aKilled) api = 'B';
        try {
          const response = await request(api);
          if (response.status !== 409 || api === 'A') return { response, by: api, tries };
          // 409 on B for a retried key: the request is still claimed by A's dead process until B takes it over.
          const retryAfter = Number(response.headers.get('retry-after') ?? 1);
          await new Promise((resolve) => setTimeout(resolve, Math.min(retryAfter, 5) * 1000));
        } catch (err) {
          // fetch rejects with «fetch failed» (a TypeError of Node's realm, not jest's: no instanceof) when the
          // connection is refused or reset; a 5xx throws an Error (the shared client's assertNoServerError) and fails
          // the test wherever it comes from.
          if (api === 'B' || (err as Error).message !== 'fetch failed') throw err;
          api = 'B';
        }
      }
    };
    const inParallel = async <T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> => {
      const results: T[] = new Array(count);
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < count) {
            const i = next++;
            results[i] = await work(i);
          }
        }),
      );
      return results;
    };

    // Creation: even tasks through A, odd through B.
    const created = await inParallel(COUNT, (i) =>
      send(creator(i), (api) =>
        clients.programme[api].post(
          '/api/tasks',
          { id: ids[i], title: `Отчёт о работе кластера ${i + 1}`, assigneeOrganizationId: SEVERNY, dueAt: `${due}T18:00` },
          { headers: { 'Idempotency-Key': `create-${ids[i]}` } },
        ),
      ),
    );
    expect(created.filter((a) => a.response.status !== 201).map((a) => `${a.by}: ${a.response.status} ${a.response.text}`)).toEqual([]);
    expect(created.map((a) => a.by)).toEqual(ids.map((_, i) => creator(i)));

    // Every task open in PostgreSQL, whichever API created it.
    await pollUntil(
      'every task open in the projection',
      async () => {
        const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM tasks WHERE id = ANY($1) AND status = 'open'`, [ids]);
        return count === COUNT ? count : undefined;
      },
      120_000,
    );

    // Completion: each task through the API that did not create it; A is SIGKILLed once a third are answered.
    let answered = 0;
    let killedAt: number | undefined;
    const completed = await inParallel(COUNT, async (i) => {
      const answer = await send(completer(i), (api) =>
        clients.coordinator[api].post(`/api/tasks/${ids[i]}/complete`, { comment: 'Отчёт направлен' }, { headers: { 'Idempotency-Key': `complete-${ids[i]}` } }),
      );
      answered += 1;
      if (!aKilled && answered >= COUNT / 3) {
        aKilled = true;
        await apiA.kill();
        killedAt = Date.now();
        log(`API A (pid ${apiA.child.pid}) SIGKILLed after ${answered} completions answered`);
      }
      return answer;
    });
    expect(killedAt).toBeDefined();
    expect(completed.filter((a) => a.response.status !== 200).map((a) => `${a.by}: ${a.response.status} ${a.response.text}`)).toEqual([]);
    const byApi = { A: completed.filter((a) => a.by === 'A').length, B: completed.filter((a) => a.by === 'B').length };
    const movedToB = completed.filter((a, i) => completer(i) === 'A' && a.by === 'B').length;
    const cutShort = completed.filter((a) => a.tries > 1).length;
    log(`completions answered by A ${byApi.A}, by B ${byApi.B} (${movedToB} meant for A answered by B, ${cutShort} of them cut short by the kill and sent again)`);
    expect(byApi.A).toBeGreaterThan(0);
    expect(byApi.B).toBeGreaterThan(0);

    // PostgreSQL: every task completed, each with exactly one creation and one completion in the audit log.
    const rows: { id: string; status: string; created: number; completed: number }[] = await dataSource.query(
      `SELECT t.id, t.status,
              (SELECT count(*)::int FROM audit_events e WHERE e.subject_type = 'task' AND e.subject_id = t.id AND e.type = 'created') AS created,
              (SELECT count(*)::int FROM audit_events e WHERE e.subject_type = 'task' AND e.subject_id = t.id AND e.type = 'completed') AS completed
         FROM tasks t WHERE t.id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(COUNT);
    expect(rows.filter((r) => r.status !== 'completed' || r.created !== 1 || r.completed !== 1)).toEqual([]);
    // And API B still answers for all of them.
    const survivor = clients.programme.B;
    const listed = await survivor.get(`/api/tasks?${new URLSearchParams({ organizationId: SEVERNY, status: 'completed', limit: '200' })}`);
    expect(listed.status).toBe(200);
    expect((listed.body.items as { id: string }[]).map((t) => t.id)).toEqual(expect.arrayContaining(ids));

    // Who ran what: each workflow task and activity in the histories names the worker that took it (pid@host).
    const connection = await Connection.connect({ address: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS') });
    const byPid = new Map<number, number>(workers.map((w) => [w.child.pid!, 0]));
    const workflowsByPid = new Map<number, Set<string>>(workers.map((w) => [w.child.pid!, new Set<string>()]));
    try {
      const client = new Client({ connection });
      const workflowIds: { workflow_id: string }[] = await dataSource.query(`SELECT workflow_id FROM tasks WHERE id = ANY($1)`, [ids]);
      for (let i = 0; i < workflowIds.length; i += 8) {
        const batch = workflowIds.slice(i, i + 8);
        const histories = await Promise.all(batch.map((w) => client.workflow.getHandle(w.workflow_id).fetchHistory()));
        histories.forEach((history, j) => {
          for (const event of history.events ?? []) {
            const identity = event.workflowTaskCompletedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity;
            if (!identity) continue;
            const pid = Number(identity.split('@')[0]);
            byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
            workflowsByPid.get(pid)?.add(batch[j].workflow_id);
          }
        });
      }
    } finally {
      await connection.close();
    }
    log(
      `workflow tasks and activities per worker pid: ${JSON.stringify(Object.fromEntries(byPid))}; ` +
        `workflows each touched: ${[...workflowsByPid.values()].map((s) => s.size).join(' / ')}`,
    );
    // Only these two workers ran anything, and each a fair part (matching hands a task to whichever poller asks first).
    expect([...byPid.keys()].sort()).toEqual(workers.map((w) => w.child.pid!).sort());
    const total = [...byPid.values()].reduce((a, b) => a + b, 0);
    for (const count of byPid.values()) expect(count).toBeGreaterThanOrEqual(total / 10);
  });
});
