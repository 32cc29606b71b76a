import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { workflowBundle } from '../support/worker-harness';

// Histories recorded from earlier versions of the workflows (`RECORD_HISTORIES=1 npm test` writes them).
// A change that would break a running workflow fails here unless it is guarded by patched().
const dir = path.resolve(__dirname, '../fixtures/histories');
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('recorded workflow histories', () => {
  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
  });

  it.each(fixtures)('%s replays deterministically with the current workflow code', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, file.replace(/\.json$/, ''));
  });
});
