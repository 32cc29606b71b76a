/**
 * The key ring of Temporal payload encryption, as TEMPORAL_PAYLOAD_KEYS spells it: `id:base64,id:base64,…`, each key
 * 32 random bytes (`openssl rand -base64 32`). The first key encrypts; every key decrypts, so a new key is put first
 * and the old ones stay behind it for as long as Temporal keeps payloads they encrypted (running workflows and the
 * retention period of closed ones).
 */
export interface PayloadKey {
  /** Written into each payload's metadata, so a reader finds the key it was encrypted with. */
  id: string;
  /** 32 bytes: AES-256. */
  key: Uint8Array;
}

export const PAYLOAD_KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$/;
export const PAYLOAD_KEY_BYTES = 32;

/** A key ring that cannot be used; the message names the variable and the key id, never key material. */
export class PayloadKeyRingError extends Error {
  override readonly name = 'PayloadKeyRingError';
}

/**
 * Parses `id:base64[,id:base64…]` (whitespace around entries is ignored). Refuses an empty ring, a malformed entry,
 * an id used twice and a key that is not 32 bytes.
 */
export function parsePayloadKeys(text: string, variable = 'TEMPORAL_PAYLOAD_KEYS'): PayloadKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new PayloadKeyRingError(`${variable} names no key (expected id:base64-key[,id:base64-key…])`);
  const keys: PayloadKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const material = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const where = `${variable}: entry ${index + 1}`;
    if (!PAYLOAD_KEY_ID.test(id)) {
      throw new PayloadKeyRingError(`${where} must be id:base64-key, the id of letters, digits, '.', '_' or '-' (at most 64)`);
    }
    if (keys.some((k) => k.id === id)) throw new PayloadKeyRingError(`${where}: key id '${id}' is used twice`);
    const bytes = BASE64.test(material) ? Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64') : undefined;
    if (!bytes || bytes.length !== PAYLOAD_KEY_BYTES) {
      throw new PayloadKeyRingError(
        `${where}: key '${id}' must be ${PAYLOAD_KEY_BYTES} bytes in base64 (e.g. openssl rand -base64 32)` +
          (bytes ? `, got ${bytes.length} bytes` : ', got something that is not base64'),
      );
    }
    keys.push({ id, key: new Uint8Array(bytes) });
  });
  return keys;
}

/** The ring back in TEMPORAL_PAYLOAD_KEYS form (for tests and tools that start child processes). */
export function formatPayloadKeys(keys: readonly PayloadKey[]): string {
  return keys.map((k) => `${k.id}:${Buffer.from(k.key).toString('base64')}`).join(',');
}
