import { ConfigError, loadConfig, LOGIN_PROTECTION_DEFAULTS } from '../../libs/config';
import { DEV_DEMO_PASSWORD, DEV_JWT_SECRET } from '../../libs/config/config';

// AUDIT_CHECKPOINT_KEY is required outside development too; test/unit/audit-checkpoints.spec.ts checks that.
const REQUIRED = {
  DATABASE_URL: 'postgresql://db/uplift',
  SMTP_URL: 'smtp://relay:25',
  AUDIT_CHECKPOINT_KEY: 'a-production-checkpoint-key-of-40-chars!',
  // Required outside development too; test/unit/temporal-payload-keys-config.spec.ts checks that.
  TEMPORAL_PAYLOAD_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
};
const SECRET = 'a-production-secret-of-forty-characters!';

describe('log-in configuration', () => {
  it('refuses to start outside development without JWT_SECRET, naming it', () => {
    expect(() => loadConfig({ ...REQUIRED })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED })).toThrow(/JWT_SECRET is required outside development[\s\S]*not set: JWT_SECRET/);
  });

  it('refuses the public development secret and a short one outside development', () => {
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: DEV_JWT_SECRET })).toThrow(/public development secret/);
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });

  it('uses the fixed development secret and demo password only with UPLIFT_DEV=1 or NODE_ENV=test', () => {
    for (const flag of [{ UPLIFT_DEV: '1' }, { NODE_ENV: 'test' }]) {
      expect(loadConfig({ ...REQUIRED, ...flag }).auth).toEqual({
        jwtSecret: DEV_JWT_SECRET,
        jwtTtlSeconds: 8 * 3600,
        bcryptCost: 10,
        demoPassword: DEV_DEMO_PASSWORD,
      });
    }
  });

  it('gives the demo users no password outside development unless DEMO_PASSWORD is set', () => {
    expect(loadConfig({ ...REQUIRED, JWT_SECRET: SECRET }).auth.demoPassword).toBeUndefined();
    expect(loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, DEMO_PASSWORD: 'demo-password-1' }).auth.demoPassword).toBe('demo-password-1');
  });

  it.each([
    ['900', 900],
    ['45s', 45],
    ['30m', 1800],
    ['8h', 28_800],
    ['2d', 172_800],
  ])('reads JWT_TTL=%s as %d seconds', (ttl, seconds) => {
    expect(loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, JWT_TTL: ttl }).auth.jwtTtlSeconds).toBe(seconds);
  });

  it.each(['0', '-5m', '8 hours', '1w'])('refuses JWT_TTL=%s', (ttl) => {
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, JWT_TTL: ttl })).toThrow(/JWT_TTL must be/);
  });

  it.each(['31d', '99999999999999999999d', '2592001'])('refuses JWT_TTL=%s, longer than 30 days (a token that as good as never expires)', (ttl) => {
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, JWT_TTL: ttl })).toThrow(/JWT_TTL must be at most 30d/);
  });

  it('reads the log-in protection from LOGIN_*, with defaults of 10 failures in 15 minutes locking for 15 minutes', () => {
    expect(loadConfig({ ...REQUIRED, JWT_SECRET: SECRET }).loginProtection).toEqual(LOGIN_PROTECTION_DEFAULTS);
    expect(LOGIN_PROTECTION_DEFAULTS).toMatchObject({ maxFailures: 10, failureWindowSeconds: 900, lockoutSeconds: 900 });
    const env = {
      ...REQUIRED,
      JWT_SECRET: SECRET,
      LOGIN_RATE_PER_ADDRESS: '30',
      LOGIN_RATE_PER_ACCOUNT: '5',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_FAILURE_WINDOW: '10m',
      LOGIN_LOCKOUT: '1h',
    };
    expect(loadConfig(env).loginProtection).toEqual({
      perAddressPerMinute: 30,
      perAccountPerMinute: 5,
      maxFailures: 3,
      failureWindowSeconds: 600,
      lockoutSeconds: 3600,
    });
    expect(() => loadConfig({ ...env, LOGIN_MAX_FAILURES: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, LOGIN_LOCKOUT: 'forever' })).toThrow(/LOGIN_LOCKOUT must be/);
  });

  it('keeps BCRYPT_COST within what bcrypt and a log-in can afford', () => {
    expect(loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, BCRYPT_COST: '12' }).auth.bcryptCost).toBe(12);
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, BCRYPT_COST: '3' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, BCRYPT_COST: '16' })).toThrow(ConfigError);
  });
});
