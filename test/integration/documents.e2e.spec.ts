/**
 * Documents over HTTP: the raw upload (the body is the file, its Cyrillic name URL-encoded in X-File-Name), the
 * download with its name intact, the accepted types and sizes, and who may read what. No workflow is involved.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash } from 'node:crypto';
import { createApiApp } from '../../apps/api/api-app';
import { ApiClient, assertNoServerError, expectRussianError, type ApiResponse } from '../support/http';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, testConfig, uniqueSuffix } from '../support/test-config';

const SEVERNY = 'demo-mun-severny';
const suffix = uniqueSuffix();
let sink: SmtpSink;
let app: NestFastifyApplication;
let baseUrl: string;
let severny: ApiClient;
let yuzhny: ApiClient;
let ministry: ApiClient;
let auditor: ApiClient;
let school: ApiClient;

beforeAll(async () => {
  sink = await SmtpSink.start();
  app = await createApiApp(testConfig({ taskQueue: `documents-e2e-${suffix}`, smtpUrl: sink.url }));
  await app.listen(0, '127.0.0.1');
  baseUrl = await app.getUrl();
  const anonymous = new ApiClient(baseUrl);
  severny = await anonymous.as('coordinator@severny.demo-region.example', DEMO_PASSWORD);
  yuzhny = await anonymous.as('coordinator@yuzhny.demo-region.example', DEMO_PASSWORD);
  ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
  auditor = await anonymous.as('audit@demo-region.example', DEMO_PASSWORD);
  school = await anonymous.as('director@school1.severny.demo-region.example', DEMO_PASSWORD);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await sink?.stop();
});

interface RawResponse extends ApiResponse {
  bytes: Buffer;
}

/** The file as the body, with whatever headers the case needs (fetch sends no Content-Type for a bare Buffer). */
async function send(
  client: ApiClient,
  method: string,
  path: string,
  body: Buffer | undefined,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${client.token}`, ...headers },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = bytes.toString('utf8');
  assertNoServerError({ method, path, status: response.status }, text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed, bytes };
}

function upload(client: ApiClient, content: Buffer | undefined, fileName: string | undefined, contentType?: string, query = ''): Promise<RawResponse> {
  return send(client, 'POST', `/api/documents${query}`, content, {
    ...(contentType ? { 'content-type': contentType } : {}),
    ...(fileName !== undefined ? { 'x-file-name': encodeURIComponent(fileName) } : {}),
  });
}

const AGREEMENT_NAME = 'Соглашение о сетевом взаимодействии № 5 (подписано).pdf';
const AGREEMENT = Buffer.from(`%PDF-1.4\n% Соглашение ${suffix}\n%%EOF\n`);

describe('upload and download', () => {
  let documentId: string;

  it('stores a file with a Cyrillic name under the uploader\'s organisation, with its sha256', async () => {
    const response = await upload(severny, AGREEMENT, AGREEMENT_NAME, 'application/pdf');
    expect(response.status).toBe(201);
    expect(response.body).toEqual(
      expect.objectContaining({
        fileName: AGREEMENT_NAME,
        organizationId: SEVERNY,
        contentType: 'application/pdf',
        sizeBytes: AGREEMENT.length,
        sha256: createHash('sha256').update(AGREEMENT).digest('hex'),
        uploadedBy: 'coordinator@severny.demo-region.example',
      }),
    );
    documentId = response.body.id;
    expect(response.body.contentUrl).toBe(`/api/documents/${documentId}/content`);
  });

  it('gives the metadata and the very bytes back, named as uploaded', async () => {
    const meta = await severny.get(`/api/documents/${documentId}`);
    expect(meta.status).toBe(200);
    expect(meta.body.fileName).toBe(AGREEMENT_NAME);

    const download = await send(severny, 'GET', `/api/documents/${documentId}/content`, undefined, {});
    expect(download.status).toBe(200);
    expect(download.bytes.equals(AGREEMENT)).toBe(true);
    expect(download.headers.get('content-type')).toMatch(/^application\/pdf/);
    const disposition = download.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    expect(decodeURIComponent(disposition.split("filename*=UTF-8''")[1])).toBe(AGREEMENT_NAME);
  });

  it('lets the ministry and the auditor read it, and refuses another municipality and a school (403)', async () => {
    expect((await ministry.get(`/api/documents/${documentId}`)).status).toBe(200);
    expect((await send(auditor, 'GET', `/api/documents/${documentId}/content`, undefined, {})).status).toBe(200);
    expectRussianError(await yuzhny.get(`/api/documents/${documentId}`), 403, ['муниципалитет']);
    const content = await send(yuzhny, 'GET', `/api/documents/${documentId}/content`, undefined, {});
    expectRussianError(content, 403);
    expect(content.text).not.toContain('Соглашение');
    expectRussianError(await school.get(`/api/documents/${documentId}`), 403);
  });

  it('answers 404 for an unknown id and for one that is not an id at all', async () => {
    expectRussianError(await severny.get('/api/documents/00000000-0000-4000-8000-000000000000'), 404, ['не найден']);
    expectRussianError(await severny.get('/api/documents/not-a-uuid/content'), 404, ['не найден']);
  });

  it('takes files far above the JSON limit (1 MiB here) and refuses those above 20 MiB (413)', async () => {
    const big = Buffer.alloc(1024 * 1024, 0x41);
    const accepted = await upload(severny, big, 'Скан приказа.png', 'image/png');
    expect(accepted.status).toBe(201);
    expect(accepted.body.sizeBytes).toBe(big.length);

    const tooBig = await upload(severny, Buffer.alloc(20 * 1024 * 1024 + 1, 0x41), 'Огромный файл.pdf', 'application/pdf');
    expectRussianError(tooBig, 413, ['слишком большой']);
  });

  it('accepts office and OpenDocument types, each with its own Content-Type', async () => {
    const docx = await upload(severny, Buffer.from('PK\u0003\u0004docx'), 'План.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(docx.status).toBe(201);
    const odt = await upload(severny, Buffer.from('PK\u0003\u0004odt'), 'План.odt', 'application/vnd.oasis.opendocument.text');
    expect(odt.status).toBe(201);
    const csv = await upload(severny, Buffer.from('Код ОО;Школа\r\n000101;СОШ\r\n'), 'Список.csv', 'text/csv; charset=utf-8');
    expect(csv.status).toBe(201);
    expect(csv.body.contentType).toBe('text/csv');
  });
});

describe('bad uploads', () => {
  it('refuses an unsupported type (415) naming the accepted ones', async () => {
    expectRussianError(await upload(severny, Buffer.from('PK'), 'Архив.zip', 'application/zip'), 415, ['application/zip', 'PDF']);
    expectRussianError(await upload(severny, Buffer.from('<x/>'), 'Данные.xml', 'application/xml'), 415, ['не поддерживается']);
    expectRussianError(await upload(severny, Buffer.from('abc'), 'Без типа.bin'), 415, ['Content-Type']);
  });

  it('refuses an empty body and a missing or broken file name (400)', async () => {
    expectRussianError(await upload(severny, Buffer.alloc(0), 'Пустой.pdf', 'application/pdf'), 400, ['пуст']);
    expectRussianError(await upload(severny, AGREEMENT, undefined, 'application/pdf'), 400, ['X-File-Name']);
    const broken = await send(severny, 'POST', '/api/documents', AGREEMENT, { 'content-type': 'application/pdf', 'x-file-name': '%E0%A4%A' });
    expectRussianError(broken, 400, ['X-File-Name']);
  });

  it('uploads only for an organisation the user acts for (403), never as the auditor', async () => {
    expectRussianError(await upload(severny, AGREEMENT, 'Чужой.pdf', 'application/pdf', '?organizationId=demo-school-severny-1'), 403);
    expectRussianError(await upload(auditor, AGREEMENT, 'Аудит.pdf', 'application/pdf'), 403, ['только на чтение']);
    const forOwnSchool = await upload(school, AGREEMENT, 'Программа.pdf', 'application/pdf', '?organizationId=demo-school-severny-1');
    expect(forOwnSchool.status).toBe(201);
    expect(forOwnSchool.body.organizationId).toBe('demo-school-severny-1');
  });

  it('leaves the JSON routes as they were: a file type there is still «JSON expected» (415), text is still validated (400)', async () => {
    const pdf = await send(ministry, 'POST', '/api/tasks', AGREEMENT, { 'content-type': 'application/pdf' });
    expectRussianError(pdf, 415, ['JSON']);
    const text = await send(ministry, 'POST', '/api/tasks', Buffer.from('hello'), { 'content-type': 'text/plain' });
    expect(text.status).toBe(400);
    const big = await send(ministry, 'POST', '/api/tasks', Buffer.alloc(100 * 1024, 0x41), { 'content-type': 'application/octet-stream' });
    expectRussianError(big, 413);
  });
});
