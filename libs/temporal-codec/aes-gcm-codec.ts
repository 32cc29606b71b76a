import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { PAYLOAD_KEY_BYTES, PayloadKeyRingError, type PayloadKey } from './payload-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata of an encrypted payload: the id of the key it was encrypted with, and the scheme. */
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
export const CIPHER = 'AES-256-GCM/v1';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload that cannot be decrypted: an unknown key id, a damaged or altered payload. Says which, never the data. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';

  constructor(
    message: string,
    /** Why, for callers that explain it in their own words (the codec endpoint answers in Russian). */
    readonly reason: 'no-key-id' | 'unknown-cipher' | 'unknown-key' | 'truncated' | 'not-authentic',
    readonly keyId?: string,
  ) {
    super(message);
  }
}

function metadataText(payload: Payload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value ? decoder.decode(value) : undefined;
}

export function isEncryptedPayload(payload: Payload): boolean {
  return metadataText(payload, 'encoding') === ENCRYPTED_ENCODING;
}

/** The key id an encrypted payload names (undefined for any other payload). */
export function payloadKeyId(payload: Payload): string | undefined {
  return isEncryptedPayload(payload) ? metadataText(payload, KEY_ID_METADATA) : undefined;
}

/** Binds the ciphertext to its key id and scheme: a payload relabelled with another id fails authentication. */
function associatedData(keyId: string): Uint8Array {
  return encoder.encode(`uplift-temporal-payload:${CIPHER}:${keyId}`);
}

/**
 * Encrypts every payload with AES-256-GCM under the ring's first key: the whole original payload (its metadata, such
 * as `encoding: json/plain`, and its data) serialised as protobuf, behind a random 96-bit IV and followed by the
 * 128-bit tag. The result says `encoding: binary/encrypted` and names its key id. Decoding picks the key by that id
 * from the whole ring (so payloads written before a new key was added still decode) and passes through payloads that
 * were never encrypted (histories from before the codec, search attributes).
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Uint8Array>;
  private readonly current: PayloadKey;

  constructor(ring: readonly PayloadKey[]) {
    if (ring.length === 0) throw new PayloadKeyRingError('the payload key ring is empty');
    const keys = new Map<string, Uint8Array>();
    for (const { id, key } of ring) {
      if (key.length !== PAYLOAD_KEY_BYTES) throw new PayloadKeyRingError(`payload key '${id}' is not ${PAYLOAD_KEY_BYTES} bytes`);
      if (keys.has(id)) throw new PayloadKeyRingError(`payload key id '${id}' is used twice`);
      keys.set(id, key);
    }
    this.keys = keys;
    this.current = ring[0];
  }

  /** The id new payloads are encrypted under. */
  get currentKeyId(): string {
    return this.current.id;
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  // async: a payload that cannot be decrypted rejects the promise, as the SDK's callers expect, rather than throwing.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncryptedPayload(payload) ? this.decrypt(payload) : payload));
  }

  encrypt(payload: Payload): Payload {
    const { id, key } = this.current;
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(id));
    const body = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        encoding: encoder.encode(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: encoder.encode(id),
        [CIPHER_METADATA]: encoder.encode(CIPHER),
      },
      data: new Uint8Array(body),
    };
  }

  decrypt(payload: Payload): Payload {
    const id = metadataText(payload, KEY_ID_METADATA);
    if (!id) throw new PayloadDecryptionError(`an encrypted Temporal payload names no key id (metadata '${KEY_ID_METADATA}')`, 'no-key-id');
    const cipherName = metadataText(payload, CIPHER_METADATA) ?? CIPHER;
    if (cipherName !== CIPHER) throw new PayloadDecryptionError(`a Temporal payload uses the unknown scheme '${cipherName}' (expected ${CIPHER})`, 'unknown-cipher', id);
    const key = this.keys.get(id);
    if (!key) {
      throw new PayloadDecryptionError(
        `a Temporal payload was encrypted with key '${id}', which is not in the key ring (TEMPORAL_PAYLOAD_KEYS has ${this.keyIds.join(', ')}): ` +
          'keep every key that encrypted payloads Temporal still holds',
        'unknown-key',
        id,
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`an encrypted Temporal payload (key '${id}') is truncated`, 'truncated', id);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `an encrypted Temporal payload failed authentication with key '${id}': it was altered, or encrypted with another key under that id`,
        'not-authentic',
        id,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
