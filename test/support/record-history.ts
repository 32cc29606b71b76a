import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEV_TEMPORAL_PAYLOAD_KEYS } from '../../libs/config';
import { AesGcmPayloadCodec, decryptHistoryJson, parsePayloadKeys } from '../../libs/temporal-codec';
import { requireTestEnv } from './test-config';

/**
 * `RECORD_HISTORIES=1 npm test` refreshes the fixtures the replay test checks future code against.
 * The CLI writes the proto3 JSON that historyFromJSON reads; its encrypted payloads are decrypted before writing.
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
  // Stored decrypted (with the tests' development key), so the fixtures replay without any key and read as they did.
  const decrypted = decryptHistoryJson(JSON.parse(json.toString('utf8')) as unknown, new AesGcmPayloadCodec(parsePayloadKeys(DEV_TEMPORAL_PAYLOAD_KEYS)));
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(decrypted, null, 2)}\n`);
}
