import { DateTime } from 'luxon';
import type { AppConfig } from '../../libs/config';

/** Signs the tests' tokens; a test can forge an expired one with it. */
export const TEST_JWT_SECRET = 'uplift-test-secret-0123456789abcdefghijklmnop';
/** The seeded demo users' password in tests. */
export const DEMO_PASSWORD = 'uplift-demo';

/** Set by the global setup for every test file of the integration project. */
export function requireTestEnv(name: 'UPLIFT_TEST_DATABASE_URL' | 'UPLIFT_TEST_TEMPORAL_ADDRESS' | 'UPLIFT_TEST_TEMPORAL_CLI'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through jest's global setup (npm test)`);
  return value;
}

/** A config pointing at the shared test components; each test file passes its own task queue and SMTP sink. */
export function testConfig(overrides: { taskQueue: string; smtpUrl: string; port?: number; updateTimeoutMs?: number }): AppConfig {
  return {
    databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
    temporal: {
      address: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      namespace: 'default',
      taskQueue: overrides.taskQueue,
      maxCachedWorkflows: 100,
      updateTimeoutMs: overrides.updateTimeoutMs ?? 15_000,
    },
    mail: { smtpUrl: overrides.smtpUrl, from: 'Uplift <no-reply@uplift.test>', messageIdDomain: 'uplift.test' },
    publicUrl: 'http://uplift.test',
    http: { port: overrides.port ?? 0, host: '127.0.0.1', maxBodyBytes: 64 * 1024 },
    seedDemo: true,
    allowCompressedCalendar: true,
    // A low bcrypt cost keeps log-ins fast; the secret is test-only.
    auth: { jwtSecret: TEST_JWT_SECRET, jwtTtlSeconds: 3600, bcryptCost: 4, demoPassword: DEMO_PASSWORD },
  };
}

/** Unique per run, so that reruns against a kept database never collide with earlier rows or workflows. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** 'YYYY-MM-DDTHH:mm:ss' wall-clock time in `zone`, `secondsFromNow` ahead. */
export function localDateTimeIn(zone: string, secondsFromNow: number): string {
  return DateTime.now().setZone(zone).plus({ seconds: secondsFromNow }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}
