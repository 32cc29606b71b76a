import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireTestEnv } from './test-config';

/**
 * `RECORD_HISTORIES=1 npm test` refreshes the fixtures the replay test checks future code against.
 * The CLI writes the proto3 JSON that historyFromJSON reads.
 */
export function recordHistory(name: string, workflowId: string): void {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const dir = path.resolve(__dirname, '../fixtures/histories');
  mkdirSync(dir, { recursive: true });
  const json = execFileSync(requireTestEnv('UPLIFT_TEST_TEMPORAL_CLI'), [
    'workflow', 'show', '--output', 'json',
    '--workflow-id', workflowId,
    '--address', requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
  ]);
  writeFileSync(path.join(dir, `${name}.json`), json);
}
