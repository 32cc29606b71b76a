/**
 * The browser's way in and the web app's serving, end to end over HTTP: session log-in with its two cookies, the
 * CSRF rule on cookie-authenticated writes, log-out that ends the session on the server, bearer clients untouched,
 * and the built app (a stand-in dist folder) served at `/` with deep links, while /api keeps its JSON 404.
 */
import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/api-app';
import { addCalendarDays, isWorkingDay } from '../../libs/domain/calendar';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { ApiClient, expectRussianError, type ApiResponse } from '../support/http';
import { DEMO_PASSWORD, TEST_JWT_SECRET, testConfig, uniqueSuffix } from '../support/test-config';

const ADMIN = 'programme@demo-region.example';
const SCHOOL_1_DIRECTOR = 'director@school1.severny.demo-region.example';
const ZONE = 'Asia/Yekaterinburg';
const CSRF_MESSAGE = 'Запрос отклонён: не передан или неверен защитный токен (CSRF). Обновите страницу и повторите.';
const INDEX_HTML = '<!doctype html><html lang="ru"><head><title>Uplift</title></head><body><div id="root">uplift-spa</div></body></html>';
const ASSET = 'index-Ab12Cd34.js';

const suffix = uniqueSuffix();
const distDir = mkdtempSync(path.join(os.tmpdir(), 'uplift-web-dist-'));
let stack: ApiStack;
let anonymous: ApiClient;

beforeAll(async () => {
  writeFileSync(path.join(distDir, 'index.html'), INDEX_HTML);
  mkdirSync(path.join(distDir, 'assets'));
  writeFileSync(path.join(distDir, 'assets', ASSET), 'console.log("uplift");\n');
  writeFileSync(path.join(distDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  stack = await startApiStack(`web-session-e2e-${suffix}`, { web: { distDir } });
  anonymous = stack.anonymous;
});

afterAll(async () => {
  await stack?.close();
  rmSync(distDir, { recursive: true, force: true });
});

/** One Set-Cookie line taken apart: its value and its attributes (names lower-cased; flags map to ''). */
interface SetCookie {
  name: string;
  value: string;
  attributes: Map<string, string>;
}

function setCookies(response: ApiResponse | Response): Map<string, SetCookie> {
  const cookies = new Map<string, SetCookie>();
  for (const line of response.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    cookies.set(name, {
      name,
      value: decodeURIComponent(pair.slice(eq + 1)),
      attributes: new Map(
        attributes.map((attribute) => {
          const at = attribute.indexOf('=');
          return at < 0 ? [attribute.toLowerCase(), ''] : [attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1)];
        }),
      ),
    });
  }
  return cookies;
}

/** A browser's view of a session: the two cookies it sends back, and the CSRF token its page can read. */
interface BrowserSession {
  cookie: string;
  csrf: string;
  user: Record<string, unknown>;
}

async function logIn(email: string): Promise<BrowserSession> {
  const response = await anonymous.post('/api/auth/session', { email, password: DEMO_PASSWORD });
  if (response.status !== 200) throw new Error(`session log-in as ${email}: ${response.status} ${response.text}`);
  const cookies = setCookies(response);
  const session = cookies.get('uplift_session')!.value;
  const csrf = cookies.get('uplift_csrf')!.value;
  return { cookie: `uplift_session=${session}; uplift_csrf=${csrf}`, csrf, user: response.body };
}

function asBrowser(session: BrowserSession, method: string, url: string, options: { json?: unknown; csrf?: string } = {}) {
  return anonymous.request(method, url, {
    json: options.json,
    headers: { cookie: session.cookie, ...(options.csrf !== undefined ? { 'x-csrf-token': options.csrf } : {}) },
  });
}

const dueDate = (): string => {
  let date = addCalendarDays(DateTime.now().setZone(ZONE).toISODate()!, 10);
  while (!isWorkingDay(date)) date = addCalendarDays(date, 1);
  return date;
};

function newTask(name: string) {
  return {
    id: `web-${name}-${suffix}`,
    title: `Проверка входа из браузера (${name})`,
    assigneeOrganizationId: 'demo-mun-severny',
    dueAt: `${dueDate()}T18:00`,
  };
}

describe('browser session', () => {
  it('logs in with the session cookie (HttpOnly) and the CSRF cookie (readable), both SameSite=Strict on /', async () => {
    const response = await anonymous.post('/api/auth/session', { email: ADMIN.toUpperCase(), password: DEMO_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ email: ADMIN, role: 'ministry_admin', organizationId: 'demo-ministry', actingFor: [] });
    expect(response.body).not.toHaveProperty('accessToken');

    const cookies = setCookies(response);
    const session = cookies.get('uplift_session')!;
    const csrf = cookies.get('uplift_csrf')!;
    expect(session.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(csrf.value).toMatch(/^[\w-]{43}$/);
    for (const cookie of [session, csrf]) {
      expect(cookie.attributes.get('path')).toBe('/');
      expect(cookie.attributes.get('samesite')).toBe('Strict');
      // The JWT's lifetime (JWT_TTL: 3600 s in tests); PUBLIC_URL is http here, so not Secure.
      expect(cookie.attributes.get('max-age')).toBe('3600');
      expect(cookie.attributes.has('secure')).toBe(false);
    }
    expect(session.attributes.has('httponly')).toBe(true);
    expect(csrf.attributes.has('httponly')).toBe(false);

    // The JWT names the session it belongs to.
    const payload = JSON.parse(Buffer.from(session.value.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
  });

  it('answers a wrong password like the bearer log-in does, setting no cookie', async () => {
    const wrong = await anonymous.post('/api/auth/session', { email: ADMIN, password: 'not-the-password' });
    const unknown = await anonymous.post('/api/auth/session', { email: `nobody-${suffix}@demo-region.example`, password: DEMO_PASSWORD });
    expectRussianError(wrong, 401, ['Неверный адрес почты или пароль']);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expectRussianError(await anonymous.post('/api/auth/session', { email: 'not-an-email' }), 400, ['Запрос содержит ошибки'], [
      'email',
      'password: обязательное поле',
    ]);
  });

  it('reads with the cookie alone', async () => {
    const session = await logIn(SCHOOL_1_DIRECTOR);
    const me = await asBrowser(session, 'GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(session.user);
    expect((await asBrowser(session, 'GET', '/api/tasks?limit=5')).status).toBe(200);
  });

  it('refuses a cookie-authenticated write without the CSRF token, or with a wrong one (403), and lets the right one pass', async () => {
    const session = await logIn(ADMIN);
    expectRussianError(await asBrowser(session, 'POST', '/api/tasks', { json: newTask('no-csrf') }), 403, [CSRF_MESSAGE]);
    expectRussianError(await asBrowser(session, 'POST', '/api/tasks', { json: newTask('bad-csrf'), csrf: `${session.csrf.slice(1)}x` }), 403, [
      CSRF_MESSAGE,
    ]);
    expectRussianError(await asBrowser(session, 'POST', '/api/tasks', { json: newTask('empty-csrf'), csrf: '' }), 403, [CSRF_MESSAGE]);
    // The header alone is not enough: it must equal the cookie the browser sends.
    const withoutCsrfCookie = await anonymous.request('POST', '/api/tasks', {
      json: newTask('no-cookie'),
      headers: { cookie: session.cookie.split(';')[0], 'x-csrf-token': session.csrf },
    });
    expectRussianError(withoutCsrfCookie, 403, [CSRF_MESSAGE]);
    for (const name of ['no-csrf', 'bad-csrf', 'empty-csrf', 'no-cookie']) {
      expect((await asBrowser(session, 'GET', `/api/tasks/web-${name}-${suffix}`)).status).toBe(404);
    }

    const created = await asBrowser(session, 'POST', '/api/tasks', { json: newTask('csrf'), csrf: session.csrf });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: `web-csrf-${suffix}`, status: 'open' });
  });

  it('ends the session on the server at log-out: the same cookie is refused afterwards, and both cookies are cleared', async () => {
    const session = await logIn(ADMIN);
    expect((await asBrowser(session, 'GET', '/api/auth/me')).status).toBe(200);

    expectRussianError(await asBrowser(session, 'DELETE', '/api/auth/session'), 403, [CSRF_MESSAGE]);
    expect((await asBrowser(session, 'GET', '/api/auth/me')).status).toBe(200);

    const out = await asBrowser(session, 'DELETE', '/api/auth/session', { csrf: session.csrf });
    expect(out.status).toBe(204);
    const cleared = setCookies(out);
    for (const name of ['uplift_session', 'uplift_csrf']) {
      const cookie = cleared.get(name)!;
      expect(cookie.value).toBe('');
      expect(cookie.attributes.get('path')).toBe('/');
      expect(new Date(cookie.attributes.get('expires')!).getTime()).toBeLessThanOrEqual(Date.now());
    }

    // A replay of the cookie (the browser has dropped it; an attacker may not have) no longer works.
    const replayed = await asBrowser(session, 'GET', '/api/auth/me');
    expectRussianError(replayed, 401, ['Требуется вход в систему', 'сеанс завершён']);
    expectRussianError(await asBrowser(session, 'POST', '/api/tasks', { json: newTask('after-logout'), csrf: session.csrf }), 401, [
      'Требуется вход в систему',
    ]);
    // Logging out again, or without any session, only clears the cookies.
    expect((await asBrowser(session, 'DELETE', '/api/auth/session', { csrf: session.csrf })).status).toBe(204);
    expect((await anonymous.delete('/api/auth/session')).status).toBe(204);
  });

  it('ends only the session logged out of: another session of the same person goes on', async () => {
    const first = await logIn(SCHOOL_1_DIRECTOR);
    const second = await logIn(SCHOOL_1_DIRECTOR);
    expect((await asBrowser(first, 'DELETE', '/api/auth/session', { csrf: first.csrf })).status).toBe(204);
    expect((await asBrowser(first, 'GET', '/api/auth/me')).status).toBe(401);
    expect((await asBrowser(second, 'GET', '/api/auth/me')).status).toBe(200);
  });

  it('refuses a cookie naming an unknown session, and a token naming no session, however it comes', async () => {
    const admin = await anonymous.as(ADMIN, DEMO_PASSWORD);
    const personId = (await admin.get('/api/auth/me')).body.personId as string;
    const jwt = new JwtService({ secret: TEST_JWT_SECRET });
    const forged = await jwt.signAsync({ sub: personId, sid: randomUUID() }, { expiresIn: 600 });
    const unknown = await anonymous.get('/api/auth/me', { headers: { cookie: `uplift_session=${forged}` } });
    expectRussianError(unknown, 401, ['Требуется вход в систему', 'сеанс завершён']);
    // The same forged session id as a bearer token is refused too: a session token is checked however it comes.
    expectRussianError(await anonymous.get('/api/auth/me', { headers: { authorization: `Bearer ${forged}` } }), 401);

    // Every token the API issues names a session, so one without (signed with the secret all the same) is refused.
    const sessionless = await jwt.signAsync({ sub: personId }, { expiresIn: 600 });
    expectRussianError(await anonymous.get('/api/auth/me', { headers: { cookie: `uplift_session=${sessionless}` } }), 401, [
      'Требуется вход в систему',
    ]);
    expectRussianError(await anonymous.get('/api/auth/me', { headers: { authorization: `Bearer ${sessionless}` } }), 401);
  });

  it('leaves bearer clients as they were: no cookie needed, no CSRF token asked, the Authorization header wins', async () => {
    const admin = await anonymous.as(ADMIN, DEMO_PASSWORD);
    expect((await admin.get('/api/auth/me')).status).toBe(200);
    const created = await admin.post('/api/tasks', newTask('bearer'));
    expect(created.status).toBe(201);
    // A browser's cookies beside a bearer token do not bring the CSRF rule in.
    const session = await logIn(ADMIN);
    const alongside = await admin.post('/api/tasks', newTask('bearer-with-cookie'), { headers: { cookie: session.cookie } });
    expect(alongside.status).toBe(201);
    // And a bad bearer token is not rescued by a good cookie.
    expectRussianError(
      await anonymous.get('/api/auth/me', { headers: { authorization: 'Bearer nonsense', cookie: session.cookie } }),
      401,
      ['Требуется вход в систему'],
    );
  });

  it('marks both cookies Secure when PUBLIC_URL is https', async () => {
    const config = { ...testConfig({ taskQueue: stack.taskQueue, smtpUrl: stack.sink.url }), publicUrl: 'https://uplift.example' };
    const app: NestFastifyApplication = await createApiApp({ ...config, seedDemo: false, web: { distDir } });
    try {
      await app.listen(0, '127.0.0.1');
      const response = await new ApiClient(await app.getUrl()).post('/api/auth/session', { email: ADMIN, password: DEMO_PASSWORD });
      expect(response.status).toBe(200);
      const cookies = setCookies(response);
      expect(cookies.get('uplift_session')!.attributes.has('secure')).toBe(true);
      expect(cookies.get('uplift_csrf')!.attributes.has('secure')).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('the web app served by the API', () => {
  const get = (url: string, method = 'GET') => fetch(`${stack.baseUrl}${url}`, { method });

  it('answers index.html at / and for deep links, revalidated on every load', async () => {
    for (const url of ['/', '/tasks/abc', '/tasks/abc?tab=history', '/cycles/demo:2026/steps', '/login']) {
      const response = await get(url);
      expect({ url, status: response.status }).toEqual({ url, status: 200 });
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(await response.text()).toBe(INDEX_HTML);
    }
    const head = await get('/tasks/abc', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('serves the built files, hashed assets cached for good', async () => {
    const asset = await get(`/assets/${ASSET}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toContain('uplift');
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers a missing asset with 404, not with the page', async () => {
    const response = await anonymous.get('/assets/index-gone.js');
    expectRussianError(response, 404, ['Адрес не найден']);
  });

  it('never serves a file outside the folder', async () => {
    for (const url of ['/%2e%2e/package.json', '/..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      const response = await get(url);
      const text = await response.text();
      expect(text).not.toContain('"name": "uplift"');
      expect(text).not.toContain('root:');
    }
  });

  it('keeps /api as it was: an unknown API route is a JSON 404 in Russian, for reads and writes alike', async () => {
    expectRussianError(await anonymous.get('/api/nope'), 404, ['Адрес не найден']);
    expectRussianError(await anonymous.get('/api'), 404, ['Адрес не найден']);
    expectRussianError(await anonymous.post('/api/nope', {}), 404, ['Адрес не найден']);
    // Misses the router itself answers stay the API's too.
    expectRussianError(await anonymous.get(`/api/tasks/${'a'.repeat(150)}`), 414, ['Слишком длинный идентификатор']);
    expectRussianError(await anonymous.get('/api/tasks/%E0%A4%A'), 400, ['Некорректный адрес']);
    // Writes to app paths are not the app's: the API's 404.
    expectRussianError(await anonymous.post('/tasks/abc', {}), 404, ['Адрес не найден']);
    const health = await anonymous.get('/api/health', { allowServerErrors: [503] });
    expect(health.headers.get('content-type')).toMatch(/application\/json/);
    const docs = await get('/api/openapi.json');
    expect(docs.status).toBe(200);
    const document = (await docs.json()) as { components: { securitySchemes: Record<string, unknown> }; paths: Record<string, unknown> };
    expect(document.components.securitySchemes.cookie).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'uplift_session' }),
    );
    expect(document.paths['/api/auth/session']).toEqual(expect.objectContaining({ post: expect.any(Object), delete: expect.any(Object) }));
  });
});
