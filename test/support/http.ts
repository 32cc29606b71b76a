/** A thin client over Node's global fetch for end-to-end tests of the API at its real address. */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are JSON the tests pick apart with matchers */

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: T;
}

export interface RequestOptions {
  /** Serialized as JSON with Content-Type: application/json. */
  json?: unknown;
  /** Sent as is, with Content-Type: application/json unless headers say otherwise. */
  raw?: string;
  headers?: Record<string, string>;
  /** 5xx statuses this request is expected to get (a health check reporting a component down); any other 5xx fails. */
  allowServerErrors?: number[];
}

/** Every response seen, so a file can assert at the end that no request ever got a server error. */
export interface ResponseRecord {
  method: string;
  path: string;
  status: number;
}

export class ApiClient {
  /** The bearer token sent with every request, once logged in. */
  token: string | undefined;

  /** `seen` may be shared by several clients (one per user) so a file can check all their answers at once. */
  constructor(
    readonly baseUrl: string,
    readonly seen: ResponseRecord[] = [],
  ) {}

  /** POST /api/auth/login; on success later requests carry the token. Returns the answer either way. */
  async login(email: string, password: string): Promise<ApiResponse> {
    const response = await this.post('/api/auth/login', { email, password });
    if (response.status === 200) this.token = response.body.accessToken;
    return response;
  }

  /** Another client on the same API and `seen` list, logged in as this user; fails the test if log-in fails. */
  async as(email: string, password: string): Promise<ApiClient> {
    const client = new ApiClient(this.baseUrl, this.seen);
    const response = await client.login(email, password);
    if (response.status !== 200) throw new Error(`log-in as ${email} failed: ${response.status} ${response.text}`);
    return client;
  }

  /** Another client sending exactly this token (or none): for expired, forged or missing tokens. */
  withToken(token: string | undefined): ApiClient {
    const client = new ApiClient(this.baseUrl, this.seen);
    client.token = token;
    return client;
  }

  get<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, options);
  }

  delete<T = any>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, options);
  }

  post<T = any>(path: string, json?: unknown, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, json === undefined ? options : { ...options, json });
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      ...options.headers,
    };
    let body: string | undefined;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (options.raw !== undefined) body = options.raw;
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    this.seen.push({ method, path, status: response.status });
    assertNoServerError({ method, path, status: response.status }, text, options.allowServerErrors ?? []);
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  }
}

/** Fails the test at once on any 5xx the caller did not explicitly expect, showing the body the API sent. */
export function assertNoServerError(record: ResponseRecord, text: string, allowed: number[] = []): void {
  if (record.status >= 500 && !allowed.includes(record.status)) {
    throw new Error(`${record.method} ${record.path} answered ${record.status} (a server error): ${text.slice(0, 2000)}`);
  }
}

const CYRILLIC_WORD = /[А-Яа-яЁё]{3,}/;
// Traces of a raw framework or runtime message leaking through instead of a sentence for an official.
const LEAKED_ENGLISH = /\b(Cannot|property|should|must be|Unexpected|undefined|null|\[object|Error:|Internal Server|Bad Request)\b/;

/** True when the text reads as a Russian sentence, not as a leaked English framework message. */
export function isRussianText(text: unknown): boolean {
  return typeof text === 'string' && text.trim().length >= 8 && CYRILLIC_WORD.test(text) && !LEAKED_ENGLISH.test(text);
}

/**
 * Asserts the API's error shape { statusCode, error, message, details? }: the expected status, and a Russian,
 * human-readable message that contains every fragment given (so it names the problem).
 */
export function expectRussianError(
  response: ApiResponse,
  status: number,
  messageFragments: (string | RegExp)[] = [],
  detailFragments: (string | RegExp)[] = [],
): void {
  const context = `${status} expected, got ${response.status}: ${response.text.slice(0, 1000)}`;
  if (response.status !== status) throw new Error(context);
  expect(response.headers.get('content-type') ?? '').toMatch(/application\/json/);
  const body = response.body as { statusCode?: number; error?: string; message?: unknown; details?: unknown };
  expect(body).toEqual(expect.objectContaining({ statusCode: status, error: expect.any(String), message: expect.any(String) }));
  if (!isRussianText(body.message)) {
    throw new Error(`error message is not a readable Russian sentence: ${JSON.stringify(body.message)}`);
  }
  for (const fragment of messageFragments) {
    if (typeof fragment === 'string') expect(body.message).toContain(fragment);
    else expect(body.message).toMatch(fragment);
  }
  if (detailFragments.length) {
    expect(Array.isArray(body.details)).toBe(true);
    const details = body.details as unknown[];
    for (const line of details) {
      if (!isRussianText(line)) throw new Error(`error detail is not a readable Russian line: ${JSON.stringify(line)}`);
    }
    const joined = details.join('\n');
    for (const fragment of detailFragments) {
      if (typeof fragment === 'string') expect(joined).toContain(fragment);
      else expect(joined).toMatch(fragment);
    }
  }
}
