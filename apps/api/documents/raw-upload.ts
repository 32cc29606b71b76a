import { BadRequestException, Injectable, UnsupportedMediaTypeException, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AppConfig } from '../../../libs/config';
import { InjectConfig } from '../../../libs/platform';

/** Files officials upload: scanned orders, signed agreements, spreadsheets. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export const DOCUMENT_UPLOAD_ROUTE = '/api/documents';
export const IDENTIFICATION_UPLOAD_ROUTE = '/api/cycles/:cycleId/identification/files/:kind';

const OPENXML = /^application\/vnd\.openxmlformats-officedocument\./;
const OPENDOCUMENT = /^application\/vnd\.oasis\.opendocument\./;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface UploadRoute {
  accepts: (mediaType: string) => boolean;
  /** What the official is told to upload instead. */
  expected: string;
}

const DOCUMENT_TYPES = new Set([
  'application/pdf',
  'application/msword',
  'image/png',
  'image/jpeg',
  'text/plain',
  'text/csv',
  'application/octet-stream',
]);
const TABLE_TYPES = new Set(['text/csv', 'application/vnd.ms-excel', 'application/octet-stream', 'text/plain']);

/** Routes whose body is the file itself; every other route keeps the JSON body and the global size limit. */
const UPLOAD_ROUTES: Record<string, UploadRoute> = {
  [DOCUMENT_UPLOAD_ROUTE]: {
    accepts: (type) => DOCUMENT_TYPES.has(type) || OPENXML.test(type) || OPENDOCUMENT.test(type),
    expected: 'PDF, DOC/DOCX, XLSX, ODT/ODS, PNG, JPEG, TXT или CSV',
  },
  [IDENTIFICATION_UPLOAD_ROUTE]: {
    accepts: (type) => TABLE_TYPES.has(type) || type === XLSX,
    expected: 'таблицу CSV (text/csv) или книгу Excel .xlsx',
  },
};

/** Every type any upload route accepts gets a buffer parser; the route then says whether it takes that type. */
const PARSED_TYPES: (string[] | RegExp)[] = [[...new Set([...DOCUMENT_TYPES, ...TABLE_TYPES])], OPENXML, OPENDOCUMENT];

function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function unsupported(route: UploadRoute, mediaType: string): UnsupportedMediaTypeException {
  const what = mediaType ? `Тип файла «${mediaType}» не поддерживается` : 'Не указан тип файла (заголовок Content-Type)';
  return new UnsupportedMediaTypeException(`${what}: загрузите ${route.expected}`);
}

/**
 * Registers the raw-body parsers once the Nest module initialises (Fastify is not ready yet, so parsers may still
 * be added). A file route reads up to MAX_UPLOAD_BYTES; a file-typed body sent to any other route is refused as
 * before (the JSON limit and the «JSON expected» answer), so the larger limit holds for the file routes only.
 */
@Injectable()
export class RawUploadParsers implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const jsonLimit = this.config.http.maxBodyBytes;
    // Fastify's own text/plain parser is replaced below; other routes still get such a body as a string.
    if (fastify.hasContentTypeParser('text/plain')) fastify.removeContentTypeParser('text/plain');
    const parseFile = (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void => {
      const route = UPLOAD_ROUTES[request.routeOptions.url ?? ''];
      const mediaType = mediaTypeOf(request);
      if (!route) {
        if (body.length > jsonLimit) done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
        else if (mediaType === 'text/plain') done(null, body.toString('utf8'));
        else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(mediaType));
        return;
      }
      if (!route.accepts(mediaType)) done(unsupported(route, mediaType));
      else done(null, body);
    };
    for (const types of PARSED_TYPES) fastify.addContentTypeParser(types, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, parseFile);
    // Any other type: a file route names what it takes; other routes answer exactly as Fastify would, unread.
    fastify.addContentTypeParser('*', (request: FastifyRequest, _payload: unknown, done: (err: Error | null, body?: unknown) => void) => {
      const route = UPLOAD_ROUTES[request.routeOptions.url ?? ''];
      done(route ? unsupported(route, mediaTypeOf(request)) : new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(mediaTypeOf(request)));
    });
  }
}

/** The uploaded bytes, or 400 when the body is empty (or was not a file at all). */
export function requireFileBody(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0) {
    throw new BadRequestException('Файл пуст: передайте содержимое файла в теле запроса');
  }
  return body;
}

/** X-File-Name carries the name URL-encoded (UTF-8), since HTTP headers cannot hold Cyrillic as such. */
export function fileNameFromHeader(header: string | string[] | undefined): string {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw || !raw.trim()) {
    throw new BadRequestException('Укажите имя файла в заголовке X-File-Name (в кодировке URL, UTF-8)');
  }
  let name: string;
  try {
    name = decodeURIComponent(raw.trim());
  } catch {
    throw new BadRequestException('Имя файла в заголовке X-File-Name должно быть закодировано как URL (UTF-8)');
  }
  name = sanitizeFileName(name);
  if (!name) throw new BadRequestException('Имя файла в заголовке X-File-Name пустое');
  if (name === '.' || name === '..') throw new BadRequestException(`Недопустимое имя файла «${name}»: укажите имя с расширением`);
  if (name.length > 300) throw new BadRequestException('Имя файла длиннее 300 символов');
  return name;
}

/**
 * The name as it will be shown and offered for download:
 * - only the last segment of a path a browser may send (C:\Users\…\plan.pdf, ../../etc/passwd → passwd), so a
 *   name never climbs out of wherever it is saved;
 * - without control characters (they would break the download header) and without invisible format characters:
 *   the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C)
 *   would let «\u202Efdp.exe» display as «exe.pdf», an executable dressed as a document; zero-width characters and
 *   the BOM would make two names that look the same differ. Removed rather than refused: the official's file is
 *   fine, only its name is misleading, and what remains is what the name really says.
 */
export function sanitizeFileName(raw: string): string {
  const lastSegment = raw.split(/[\\/]/).pop() ?? '';
  return lastSegment
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .trim();
}
