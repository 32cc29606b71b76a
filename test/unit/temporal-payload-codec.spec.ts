import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  AesGcmPayloadCodec,
  decodeHistoryPayloads,
  formatPayloadKeys,
  isEncryptedPayload,
  KEY_ID_METADATA,
  parsePayloadKeys,
  PayloadDecryptionError,
  payloadKeyId,
  PayloadKeyRingError,
  type PayloadKey,
} from '../../libs/temporal-codec';

const key = (id: string): PayloadKey => ({ id, key: new Uint8Array(randomBytes(32)) });
const toPayload = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const bytesOf = (payload: Payload) => Buffer.from(temporal.api.common.v1.Payload.encode(payload).finish());

const official = { completedBy: 'ivanova.anna@severny.example', fullName: 'Иванова Анна Петровна' };

describe('AES-256-GCM payload codec', () => {
  it('round-trips a payload, and what it stores says it is encrypted, names its key and holds no clear text', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [encoded] = await codec.encode([toPayload(official)]);
    expect(isEncryptedPayload(encoded)).toBe(true);
    expect(payloadKeyId(encoded)).toBe('k1');
    expect(Buffer.from(encoded.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const stored = bytesOf(encoded);
    expect(stored.includes(Buffer.from(official.completedBy))).toBe(false);
    expect(stored.includes(Buffer.from(official.fullName))).toBe(false);
    expect(stored.includes(Buffer.from('json/plain'))).toBe(false);
    const [decoded] = await codec.decode([encoded]);
    expect(Buffer.from(decoded.metadata!.encoding!).toString()).toBe('json/plain');
    expect(fromPayload(decoded)).toEqual(official);
  });

  it('encrypts the same value differently each time (random IV)', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [a, b] = await codec.encode([toPayload('x'), toPayload('x')]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('keeps every kind of payload: binary data, null, undefined, empty strings and large values', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const values = [new Uint8Array([0, 1, 2, 255]), null, '', { big: 'я'.repeat(100_000) }, [1, 2, 3]];
    const decoded = await codec.decode(await codec.encode(values.map(toPayload)));
    expect(decoded.map(fromPayload)).toEqual(values);
    const [undef] = await codec.decode(await codec.encode([toPayload(undefined)]));
    expect(fromPayload(undef)).toBeUndefined();
  });

  it('passes through payloads that were never encrypted (older histories, search attributes)', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const plain = toPayload({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('after rotation encrypts under the new key and still decodes payloads of the old one', async () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const before = new AesGcmPayloadCodec([k1]);
    const [old] = await before.encode([toPayload(official)]);
    const after = new AesGcmPayloadCodec([k2, k1]);
    const [fresh] = await after.encode([toPayload(official)]);
    expect(payloadKeyId(fresh)).toBe('k2');
    expect((await after.decode([old, fresh])).map(fromPayload)).toEqual([official, official]);
    // The key ring as the variable spells it round-trips too.
    const ring = parsePayloadKeys(formatPayloadKeys([k2, k1]));
    expect((await new AesGcmPayloadCodec(ring).decode([old])).map(fromPayload)).toEqual([official]);
  });

  it('refuses a payload whose key id is not in the ring, naming that id and the ring', async () => {
    const [payload] = await new AesGcmPayloadCodec([key('k0')]).encode([toPayload(official)]);
    const codec = new AesGcmPayloadCodec([key('k2'), key('k1')]);
    await expect(codec.decode([payload])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([payload])).rejects.toThrow(/key 'k0', which is not in the key ring \(TEMPORAL_PAYLOAD_KEYS has k2, k1\)/);
  });

  it('refuses a tampered payload: a flipped ciphertext bit, a cut tag, a relabelled key id, another key under the same id', async () => {
    const k1 = key('k1');
    const k2 = key('k2');
    const codec = new AesGcmPayloadCodec([k1, k2]);
    const [payload] = await codec.encode([toPayload(official)]);
    const flipped = Buffer.from(payload.data!);
    flipped[20] ^= 1;
    const cut = payload.data!.subarray(0, payload.data!.length - 1);
    const relabelled = { ...payload, metadata: { ...payload.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    const otherKeySameId = new AesGcmPayloadCodec([{ id: 'k1', key: k2.key }]);
    for (const [bad, viaCodec] of [
      [{ ...payload, data: new Uint8Array(flipped) }, codec],
      [{ ...payload, data: cut }, codec],
      [relabelled, codec],
      [payload, otherKeySameId],
    ] as const) {
      await expect(viaCodec.decode([bad])).rejects.toThrow(/failed authentication with key 'k[12]'/);
    }
    await expect(codec.decode([{ ...payload, data: new Uint8Array(10) }])).rejects.toThrow(/truncated/);
  });

  it('refuses an empty ring, a duplicate id and a key of the wrong size', () => {
    expect(() => new AesGcmPayloadCodec([])).toThrow(PayloadKeyRingError);
    expect(() => new AesGcmPayloadCodec([key('a'), key('a')])).toThrow(/used twice/);
    expect(() => new AesGcmPayloadCodec([{ id: 'a', key: new Uint8Array(16) }])).toThrow(/not 32 bytes/);
  });
});

describe('TEMPORAL_PAYLOAD_KEYS', () => {
  const b64 = (n = 32) => randomBytes(n).toString('base64');

  it('reads id:base64 entries in order (the first encrypts), with spaces and base64url', () => {
    const url = randomBytes(32).toString('base64url');
    const ring = parsePayloadKeys(` k2:${b64()} , k1:${url}`);
    expect(ring.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(Buffer.from(ring[1].key).toString('base64url')).toBe(url);
  });

  it.each([
    ['', /names no key/],
    [' , ', /names no key/],
    [b64(), /entry 1 must be id:base64-key/],
    [`bad id:${b64()}`, /entry 1 must be id:base64-key/],
    [`k1:${b64(16)}`, /key 'k1' must be 32 bytes .* got 16 bytes/],
    ['k1:not base64!', /key 'k1' must be 32 bytes .* not base64/],
    [`k1:${b64()},k1:${b64()}`, /entry 2: key id 'k1' is used twice/],
  ])('refuses %j with a message naming the variable', (text, message) => {
    expect(() => parsePayloadKeys(text)).toThrow(PayloadKeyRingError);
    expect(() => parsePayloadKeys(text)).toThrow(message);
    expect(() => parsePayloadKeys(text)).toThrow(/TEMPORAL_PAYLOAD_KEYS/);
  });

  it('never repeats key material in its messages', () => {
    const material = randomBytes(16).toString('base64');
    expect(() => parsePayloadKeys(`k1:${material}`)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(material) }));
  });
});

describe('decoding a history', () => {
  it('decodes every encrypted payload, nested anywhere, and leaves clear ones alone', async () => {
    const codec = new AesGcmPayloadCodec([key('k1')]);
    const [input, result, failureAttrs] = await codec.encode([toPayload(official), toPayload({ ok: true }), toPayload({ message: 'SMTP refused a@b.example' })]);
    const searchAttribute = toPayload('demo-mun-severny');
    const history: temporal.api.history.v1.IHistory = {
      events: [
        { workflowExecutionStartedEventAttributes: { input: { payloads: [input] }, searchAttributes: { indexedFields: { UpliftAssignee: searchAttribute } } } },
        { activityTaskCompletedEventAttributes: { result: { payloads: [result] } } },
        { activityTaskFailedEventAttributes: { failure: { message: 'Encoded failure', encodedAttributes: failureAttrs } } },
      ],
    };
    await decodeHistoryPayloads(history, [codec]);
    const [started, completed, failed] = history.events!;
    expect(fromPayload(started.workflowExecutionStartedEventAttributes!.input!.payloads![0])).toEqual(official);
    expect(started.workflowExecutionStartedEventAttributes!.searchAttributes!.indexedFields!.UpliftAssignee).toBe(searchAttribute);
    expect(fromPayload(completed.activityTaskCompletedEventAttributes!.result!.payloads![0])).toEqual({ ok: true });
    expect(fromPayload(failed.activityTaskFailedEventAttributes!.failure!.encodedAttributes!)).toEqual({ message: 'SMTP refused a@b.example' });
  });
});
