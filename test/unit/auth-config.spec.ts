import { ConfigError, loadConfig } from '../../libs/config';
import { DEV_DEMO_PASSWORD, DEV_JWT_SECRET } from '../../libs/config/config';

const REQUIRED = { DATABASE_URL: 'postgresql://db/uplift', SMTP_URL: 'smtp://relay:25' };
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

  it('keeps BCRYPT_COST within what bcrypt and a log-in can afford', () => {
    expect(loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, BCRYPT_COST: '12' }).auth.bcryptCost).toBe(12);
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, BCRYPT_COST: '3' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...REQUIRED, JWT_SECRET: SECRET, BCRYPT_COST: '16' })).toThrow(ConfigError);
  });
});
