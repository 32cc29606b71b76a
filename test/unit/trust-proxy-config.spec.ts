import { ConfigError, loadConfig } from '../../libs/config';
import { trustProxySetting } from '../../libs/config/config';

const DEV = { DATABASE_URL: 'postgresql://db/uplift', SMTP_URL: 'smtp://relay:25', UPLIFT_DEV: '1' };

describe('TRUST_PROXY', () => {
  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['2', 2],
    ['10.0.0.0/8', ['10.0.0.0/8']],
    ['10.0.0.0/8, 127.0.0.1,::1', ['10.0.0.0/8', '127.0.0.1', '::1']],
  ])('reads %j as Fastify takes it', (value, expected) => {
    expect(trustProxySetting(value)).toEqual(expected);
  });

  it('trusts no proxy unless told, so a client cannot pick its own address for the log-in limits', () => {
    expect(loadConfig({ ...DEV }).http.trustProxy).toBe(false);
    expect(loadConfig({ ...DEV, TRUST_PROXY: '127.0.0.1' }).http.trustProxy).toEqual(['127.0.0.1']);
  });

  it('refuses a value that is neither a flag, a hop count nor addresses, naming the variable', () => {
    expect(() => loadConfig({ ...DEV, TRUST_PROXY: 'proxy.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...DEV, TRUST_PROXY: 'proxy.example.org' })).toThrow(/TRUST_PROXY/);
  });
});
