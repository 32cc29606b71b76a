import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { runKey, type WorkflowHistoryRepository } from '../persistence/repositories/workflow-history.repository';
import { fetchDecodedHistory } from '../temporal-codec/history';

/**
 * Visibility is eventually consistent (with Elasticsearch, a closed run can show up seconds after its close time), so
 * each pass looks back this far before `since`; runs archived already are skipped by key, not fetched again.
 */
export const ARCHIVE_LOOKBACK_MS = 5 * 60_000;
const KEY_CHECK_BATCH = 200;

export interface ArchiveOptions {
  lookbackMs?: number;
  /** An extra visibility clause ANDed to the query, e.g. `TaskQueue = "…"`. */
  where?: string;
  onError?: (execution: { workflowId: string; runId: string }, error: unknown) => void;
}

export interface ArchivePass {
  /** Closed runs the query returned. */
  listed: number;
  /** Runs stored by this pass. */
  archived: number;
  /** Runs whose history could not be fetched or stored; they are retried by the next pass that lists them. */
  failed: number;
  /** The latest close time among runs listed and archived (now or before): where the next pass can start. */
  latestCloseTime: Date | null;
}

/** Copies the history of every run closed after `since` that is not in PostgreSQL yet. Safe to run concurrently. */
export async function archiveClosedWorkflows(
  client: Client,
  repo: WorkflowHistoryRepository,
  since: Date,
  options: ArchiveOptions = {},
): Promise<ArchivePass> {
  const from = new Date(since.getTime() - (options.lookbackMs ?? ARCHIVE_LOOKBACK_MS));
  const query = `ExecutionStatus != "Running" AND CloseTime > "${from.toISOString()}"${options.where ? ` AND (${options.where})` : ''}`;
  const pass: ArchivePass = { listed: 0, archived: 0, failed: 0, latestCloseTime: null };
  let batch: WorkflowExecutionInfo[] = [];
  const flush = async () => {
    const done = await repo.archivedKeys(batch.map((e) => ({ workflowId: e.workflowId, runId: e.runId })));
    for (const execution of batch) {
      if (!done.has(runKey(execution.workflowId, execution.runId))) {
        try {
          if (await archiveOne(client, repo, execution)) pass.archived += 1;
        } catch (error) {
          pass.failed += 1;
          options.onError?.(execution, error);
          continue;
        }
      }
      if (execution.closeTime && (!pass.latestCloseTime || execution.closeTime > pass.latestCloseTime)) {
        pass.latestCloseTime = execution.closeTime;
      }
    }
    batch = [];
  };
  for await (const execution of client.workflow.list({ query })) {
    pass.listed += 1;
    batch.push(execution);
    if (batch.length >= KEY_CHECK_BATCH) await flush();
  }
  await flush();
  return pass;
}

async function archiveOne(client: Client, repo: WorkflowHistoryRepository, execution: WorkflowExecutionInfo): Promise<boolean> {
  // Decrypted with the client's codec: the archive is read for years, after the keys that encrypted it are retired,
  // and lives in PostgreSQL beside the directory that holds the same names and addresses in clear.
  const history = await fetchDecodedHistory(client, client.workflow.getHandle(execution.workflowId, execution.runId));
  // The same proto3 JSON as `temporal workflow show --output json`, which historyFromJSON and the replayer read.
  const json = JSON.parse(historyToJSON(history)) as { events?: unknown[] };
  const events = json.events ?? [];
  return repo.save({
    workflowId: execution.workflowId,
    runId: execution.runId,
    workflowType: execution.type,
    status: execution.status.name,
    startTime: execution.startTime,
    closeTime: execution.closeTime ?? null,
    eventCount: events.length,
    history: { ...json, events },
  });
}
