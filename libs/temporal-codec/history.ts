import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { isEncryptedPayload, type AesGcmPayloadCodec } from './aes-gcm-codec';

type History = temporal.api.history.v1.IHistory;

function looksLikePayload(value: object): value is Payload {
  const candidate = value as { metadata?: unknown; data?: unknown };
  return candidate.data instanceof Uint8Array && typeof candidate.metadata === 'object' && candidate.metadata !== null;
}

/**
 * Decodes, in place, every encrypted payload anywhere in a history (inputs, results, signals, updates, memos,
 * failures' encoded attributes, …) with `codecs`, in the reverse order of encoding, as the SDK does. Payloads that were
 * never encrypted (search attributes, histories from before the codec) stay as they are.
 */
export async function decodeHistoryPayloads<H extends History>(history: H, codecs: readonly PayloadCodec[]): Promise<H> {
  if (codecs.length === 0) return history;
  const found: { holder: Record<string, unknown> | unknown[]; key: string | number; payload: Payload }[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, holder: Record<string, unknown> | unknown[] | undefined, key: string | number): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || seen.has(value)) return;
    seen.add(value);
    if (holder !== undefined && looksLikePayload(value)) {
      if (isEncryptedPayload(value)) found.push({ holder, key, payload: value });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, value, index));
      return;
    }
    for (const [name, item] of Object.entries(value)) visit(item, value as Record<string, unknown>, name);
  };
  visit(history, undefined, '');
  if (found.length === 0) return history;
  let payloads = found.map((f) => f.payload);
  for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  found.forEach(({ holder, key }, index) => {
    (holder as Record<string | number, unknown>)[key] = payloads[index];
  });
  return history;
}

/** A run's history with its payloads decoded by the codecs of the client that fetched it. */
export async function fetchDecodedHistory(client: Client, handle: WorkflowHandle): Promise<History> {
  const history = await handle.fetchHistory();
  return decodeHistoryPayloads(history, client.options.loadedDataConverter.payloadCodecs);
}

const ENCRYPTED_BASE64 = Buffer.from('binary/encrypted').toString('base64');

/**
 * The same for a history in its proto3 JSON form (`temporal workflow show --output json`), synchronously: payloads
 * are `{ metadata: { encoding: <base64> }, data: <base64> }` there.
 */
export function decryptHistoryJson<T>(json: T, codec: AesGcmPayloadCodec): T {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === 'object' && metadata.encoding === ENCRYPTED_BASE64) {
      return payloadToJSON(codec.decrypt(JSONToPayload(record as JSONPayload)));
    }
    return Object.fromEntries(Object.entries(record).map(([name, item]) => [name, visit(item)]));
  };
  return visit(json) as T;
}
