import { BadRequestException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';

/** The request header naming a write's idempotency key, and the answer header marking a replayed answer. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** The methods that change something; a key on GET, HEAD or OPTIONS is ignored (they are safe to repeat anyway). */
export const IDEMPOTENT_WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;
/** Printable ASCII, space included: what HTTP carries unchanged and what a UUID, ULID or any client's token uses. */
const KEY_PATTERN = new RegExp(`^[\\x20-\\x7E]{1,${IDEMPOTENCY_KEY_MAX_LENGTH}}$`);

export const BAD_KEY_MESSAGE =
  `Заголовок ${IDEMPOTENCY_KEY_HEADER} должен содержать от 1 до ${IDEMPOTENCY_KEY_MAX_LENGTH} печатных символов ASCII ` +
  '(латинские буквы, цифры, знаки препинания)';
export const KEY_REUSED_MESSAGE =
  `Ключ идемпотентности уже использован с другим запросом: для нового запроса передайте новый ${IDEMPOTENCY_KEY_HEADER}`;
export const KEY_IN_PROGRESS_MESSAGE = 'Запрос с этим ключом ещё выполняется; повторите позже';

/** The key as sent, or 400 in Russian when it is empty, too long or holds anything but printable ASCII. */
export function parseIdempotencyKey(header: string | string[]): string {
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (!KEY_PATTERN.test(value)) throw new BadRequestException(BAD_KEY_MESSAGE);
  return value;
}

/** The path the key is scoped to: the address without its query (the query is part of the fingerprint instead). */
export function requestPath(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** Plain objects with their keys sorted at every level, so `{a, b}` and `{b, a}` are the same request. */
function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, item: unknown) =>
      item && typeof item === 'object' && !Array.isArray(item)
        ? Object.fromEntries(
            Object.keys(item)
              .sort()
              .map((k) => [k, (item as Record<string, unknown>)[k]]),
          )
        : item,
    ) ?? ''
  );
}

function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/**
 * What makes two requests "the same" for one key (method and path are the key's scope): the query, and the body —
 * a JSON body by its content (key order and spacing aside), an upload by its raw bytes together with the file name
 * and type it is stored under (the same bytes under another name would be another document). SHA-256, hex.
 */
export function requestFingerprint(request: Pick<FastifyRequest, 'url' | 'body' | 'headers'>): string {
  const hash = createHash('sha256');
  const query = request.url.indexOf('?');
  hash.update(`query ${query < 0 ? '' : request.url.slice(query + 1)}\n`);
  const body = request.body;
  if (Buffer.isBuffer(body)) {
    const mediaType = headerText(request.headers['content-type']).split(';')[0].trim().toLowerCase();
    hash.update(`file ${mediaType}\n${headerText(request.headers['x-file-name'])}\n`);
    hash.update(body);
  } else {
    hash.update(`json ${canonicalJson(body)}`);
  }
  return hash.digest('hex');
}
