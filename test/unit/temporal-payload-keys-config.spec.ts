import { randomBytes } from 'node:crypto';
import { ConfigError, DEV_TEMPORAL_PAYLOAD_KEYS, loadConfig, temporalPayloadKeys } from '../../libs/config';
import { parsePayloadKeys } from '../../libs/temporal-codec';

const REQUIRED = {
  DATABASE_URL: 'postgresql://db/uplift',
  SMTP_URL: 'smtp://relay:25',
  JWT_SECRET: 'a-production-secret-of-forty-characters!',
  AUDIT_CHECKPOINT_KEY: 'a-production-checkpoint-key-of-40-chars!',
};
const k2 = randomBytes(32).toString('base64');
const k1 = randomBytes(32).toString('base64');
const devKey = DEV_TEMPORAL_PAYLOAD_KEYS.split(':')[1];

describe('TEMPORAL_PAYLOAD_KEYS configuration', () => {
  it('is required outside development, naming the variable and how to make a key', () => {
    expect(() => loadConfig(REQUIRED)).toThrow(ConfigError);
    expect(() => loadConfig(REQUIRED)).toThrow(/TEMPORAL_PAYLOAD_KEYS is required outside development[\s\S]*openssl rand -base64 32[\s\S]*not set: TEMPORAL_PAYLOAD_KEYS/);
  });

  it('reads the ring in order, the first key encrypting', () => {
    const keys = loadConfig({ ...REQUIRED, TEMPORAL_PAYLOAD_KEYS: `k2:${k2},k1:${k1}` }).temporal.payloadKeys!;
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(Buffer.from(keys[0].key).toString('base64')).toBe(k2);
  });

  it('refuses a malformed ring and the public development key outside development, never echoing key material', () => {
    expect(() => loadConfig({ ...REQUIRED, TEMPORAL_PAYLOAD_KEYS: `k1:${k1.slice(0, 20)}` })).toThrow(/TEMPORAL_PAYLOAD_KEYS: entry 1: key 'k1' must be 32 bytes/);
    expect(() => loadConfig({ ...REQUIRED, TEMPORAL_PAYLOAD_KEYS: `k2:${k2},old:${devKey}` })).toThrow(/key 'old' is the public development key/);
    try {
      loadConfig({ ...REQUIRED, TEMPORAL_PAYLOAD_KEYS: `k2:${k2},k1:${k1.slice(0, 20)}` });
    } catch (err) {
      expect(String(err)).not.toContain(k2);
      expect(String(err)).not.toContain(k1.slice(0, 20));
    }
  });

  it('uses the fixed development key with UPLIFT_DEV=1 or NODE_ENV=test, and for hand-built configs', () => {
    const dev = parsePayloadKeys(DEV_TEMPORAL_PAYLOAD_KEYS);
    for (const flag of [{ UPLIFT_DEV: '1' }, { NODE_ENV: 'test' }]) {
      expect(loadConfig({ ...REQUIRED, ...flag }).temporal.payloadKeys).toEqual(dev);
    }
    const config = loadConfig({ ...REQUIRED, UPLIFT_DEV: '1' });
    expect(temporalPayloadKeys({ temporal: { ...config.temporal, payloadKeys: undefined } })).toEqual(dev);
  });
});

describe('TEMPORAL_UI_ORIGINS configuration', () => {
  const PRODUCTION = { ...REQUIRED, TEMPORAL_PAYLOAD_KEYS: `k1:${k1}` };

  it('lets no origin call the codec endpoint cross-origin unless told; the local UI in development', () => {
    expect(loadConfig(PRODUCTION).temporal.uiOrigins).toEqual([]);
    expect(loadConfig({ ...REQUIRED, UPLIFT_DEV: '1' }).temporal.uiOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
    expect(loadConfig({ ...PRODUCTION, TEMPORAL_UI_ORIGINS: 'https://temporal.example.org, https://ui.example.org:8443' }).temporal.uiOrigins).toEqual([
      'https://temporal.example.org',
      'https://ui.example.org:8443',
    ]);
  });

  it.each(['temporal.example.org', 'https://temporal.example.org/ui', '*'])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ ...PRODUCTION, TEMPORAL_UI_ORIGINS: value })).toThrow(/TEMPORAL_UI_ORIGINS must be origins/);
  });
});
