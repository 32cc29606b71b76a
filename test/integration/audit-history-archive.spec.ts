import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { archiveClosedWorkflows } from '../../apps/worker/history-archiver.service';
import {
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
import { WorkflowHistoryRepository } from '../../libs/persistence';
import { startWorkerStack, type WorkerStack } from '../support/api-stack';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';
import { workflowBundle, type Harness } from '../support/worker-harness';

const ZONE = 'Asia/Yekaterinburg';
const taskQueue = `archive-test-${uniqueSuffix()}`;
let stack: WorkerStack;
let harness: Harness;

beforeAll(async () => {
  stack = await startWorkerStack(taskQueue);
  harness = stack.harness;
});

afterAll(() => stack?.close());

describe('archive of closed workflow histories in PostgreSQL', () => {
  it('stores a finished task workflow history once, in a form the replayer reads back', async () => {
    const startedAt = new Date();
    const input: DeadlineTaskInput = {
      taskId: `archived-${uniqueSuffix()}`,
      title: 'Представить отчёт о мониторинге (архив истории)',
      assigneeOrganizationId: 'demo-mun-severny',
      supervisorOrganizationId: 'demo-ministry',
      deadline: { localDateTime: localDateTimeIn(ZONE, 3600), timeZone: ZONE, calendar: 'calendar-days' },
      policy: { reminders: [], escalations: [] },
      createdBy: 'programme@demo-region.example',
    };
    const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue,
      workflowId: deadlineTaskWorkflowId(input.taskId),
      args: [input],
    });
    await handle.executeUpdate(taskReadyUpdate);
    await handle.executeUpdate(completeTaskUpdate, { args: [{ completedBy: 'coordinator@severny.demo-region.example', result: {} }] });
    await handle.result();

    const repo = new WorkflowHistoryRepository(harness.dataSource);
    const onlyThisFile = { where: `TaskQueue = "${taskQueue}"`, onError: (_: unknown, error: unknown) => { throw error; } };
    // Visibility lags the close by a moment: pass until the run is listed.
    let first = await archiveClosedWorkflows(harness.env.client, repo, startedAt, onlyThisFile);
    for (let waited = 0; first.archived === 0 && waited < 15_000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      first = await archiveClosedWorkflows(harness.env.client, repo, startedAt, onlyThisFile);
    }
    expect(first).toMatchObject({ archived: 1, failed: 0 });

    const stored = await repo.get(handle.workflowId);
    expect(stored).toMatchObject({ workflowId: handle.workflowId, runId: handle.firstExecutionRunId, workflowType: DEADLINE_TASK_WORKFLOW, status: 'COMPLETED' });
    expect(stored!.eventCount).toBeGreaterThan(5);
    expect(stored!.history.events).toHaveLength(stored!.eventCount);
    expect(stored!.history.events[0]).toMatchObject({ eventId: '1', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' });
    const live = await handle.fetchHistory();
    expect(stored!.eventCount).toBe(live.events!.length);
    // What replay tooling needs: the stored JSON replays with the current workflow code.
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(stored!.history), handle.workflowId);

    const again = await archiveClosedWorkflows(harness.env.client, repo, startedAt, onlyThisFile);
    expect(again).toMatchObject({ listed: first.listed, archived: 0, failed: 0 });
    expect((await repo.listByWorkflowIds([handle.workflowId])).map((r) => r.runId)).toEqual([handle.firstExecutionRunId]);
    expect(await repo.listByPrefix(`task:${input.taskId.slice(0, -2)}`)).toEqual(
      expect.arrayContaining([expect.objectContaining({ workflowId: handle.workflowId })]),
    );
    expect((await repo.listByPrefix(`task:${input.taskId}`))[0]).not.toHaveProperty('history');
  });

  it('saves idempotently and takes a prefix literally', async () => {
    const repo = new WorkflowHistoryRepository(harness.dataSource);
    const id = `cycle:lit_${uniqueSuffix()}`;
    const record = {
      workflowId: `${id}:org:x`,
      runId: 'run-1',
      workflowType: 'organizationTrackWorkflow',
      status: 'COMPLETED',
      startTime: new Date('2026-01-01T00:00:00Z'),
      closeTime: new Date('2026-01-02T00:00:00Z'),
      eventCount: 0,
      history: { events: [] },
    };
    expect(await repo.save(record)).toBe(true);
    expect(await repo.save({ ...record, status: 'FAILED' })).toBe(false);
    expect((await repo.get(record.workflowId))?.status).toBe('COMPLETED');
    expect(await repo.listByPrefix(`${id}:`)).toHaveLength(1);
    // '_' would match any character as a LIKE pattern.
    expect(await repo.listByPrefix(id.replace('lit_', 'lit%'))).toHaveLength(0);
    expect(await repo.listByPrefix(id.replace('lit_', 'litX'))).toHaveLength(0);
  });
});
