import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { errorCodes, type FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { isTemporalUnreachable, TEMPORAL_UNREACHABLE_MESSAGE } from '../temporal/temporal-errors';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable, OUTAGE_RETRY_AFTER_SECONDS } from './outage';
import { RetryLaterException } from './retry-later';

/** The shape of every error the API answers (JSON bodies, and the raw ones written to the socket below). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: string[];
}

// Fastify rejects some requests before Nest's pipes see them; their English messages become Russian here.
const FASTIFY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Запрос слишком большой',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Тело запроса должно быть в формате JSON (Content-Type: application/json)',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Тело запроса пустое, а ожидается JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Неверный заголовок Content-Length',
  FST_ERR_BAD_URL: 'Некорректный адрес запроса',
  FST_ERR_MAX_PARAM_LENGTH: 'Слишком длинный идентификатор в адресе запроса',
};

// Nest hands Fastify's errors to filters as a bare HttpException with only Fastify's English message and status
// (RoutesResolver.mapExternalException); the message's fixed part identifies the code again.
const FASTIFY_MESSAGES = Object.keys(FASTIFY_ERRORS).flatMap((code) => {
  const FastifyError = (errorCodes as unknown as Record<string, (new () => Error) | undefined>)[code];
  return FastifyError ? [{ code, prefix: new FastifyError().message.split('%s')[0] }] : [];
});

/**
 * What a refusal says when the code that raised it gave no Russian message (a framework's or library's English
 * one): every 4xx answer reads as Russian, whoever raised it.
 */
const RUSSIAN_BY_STATUS: Record<number, string> = {
  400: 'Некорректный запрос',
  401: 'Требуется вход в систему',
  403: 'Доступ запрещён',
  404: 'Адрес не найден',
  405: 'Этот метод не поддерживается по данному адресу',
  406: 'Запрошенный формат ответа не поддерживается',
  408: 'Запрос не был получен полностью за отведённое время',
  409: 'Запрос противоречит текущему состоянию данных',
  411: 'Не указана длина тела запроса (Content-Length)',
  413: 'Запрос слишком большой',
  414: 'Слишком длинный адрес запроса',
  415: 'Тело запроса должно быть в формате JSON (Content-Type: application/json)',
  422: 'Запрос не может быть выполнен',
  429: 'Слишком много запросов: повторите попытку позже',
  431: 'Заголовки запроса слишком велики',
  500: 'Внутренняя ошибка сервера',
};

const CYRILLIC = /[А-Яа-яЁё]/;

function statusName(status: number): string {
  return STATUS_CODES[status] ?? (status < 500 ? 'Bad Request' : 'Internal Server Error');
}

/** The message as given when it is Russian; otherwise the status's Russian wording (the English one goes to logs). */
function russianMessage(status: number, message: string): string {
  if (CYRILLIC.test(message)) return message;
  return RUSSIAN_BY_STATUS[status] ?? (status < 500 ? RUSSIAN_BY_STATUS[400] : RUSSIAN_BY_STATUS[500]);
}

/** Every error leaves the API as { statusCode, error, message, details? } with a Russian message. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const status = (exception as { statusCode?: unknown } | null)?.statusCode;
    const outage = exception instanceof HttpException || typeof status === 'number' ? undefined : outageMessage(exception);
    const body: ErrorBody = outage ? { statusCode: 503, error: statusName(503), message: outage } : this.toBody(exception);
    if (outage) {
      // A component is down (PostgreSQL, Temporal): the client retries, the pool reconnects once it is back.
      this.logger.warn(`503: ${outage} (${exception instanceof Error ? exception.message : String(exception)})`);
      void reply.header('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    } else if (exception instanceof HttpException && body.statusCode >= 500) {
      // A deliberate 503 (a component is down) is an operational fact, not a bug: no stack trace, but the reason.
      const cause = exception.cause instanceof Error ? ` (${exception.cause.name}: ${exception.cause.message})` : '';
      this.logger.warn(`${body.statusCode}: ${body.message}${cause}`);
    } else if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    if (exception instanceof RetryLaterException) void reply.header('Retry-After', String(exception.retryAfterSeconds));
    void reply.status(body.statusCode).send(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'string' && status >= 400 && status < 500) {
        const code = FASTIFY_MESSAGES.find((m) => response.startsWith(m.prefix))?.code;
        if (code || /JSON/i.test(response)) return fastifyErrorBody({ code, statusCode: status, message: response });
      }
      const payload = typeof response === 'string' ? { message: response } : (response as Record<string, unknown>);
      const message = Array.isArray(payload.message) ? payload.message.join('; ') : String(payload.message ?? '');
      const details = Array.isArray(payload.details) ? (payload.details as unknown[]).map(String) : undefined;
      return {
        statusCode: status,
        error: statusName(status),
        message: russianMessage(status, message),
        ...(details ? { details } : {}),
      };
    }
    const fastifyError = exception as { code?: string; statusCode?: number; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return fastifyErrorBody(fastifyError, exception instanceof SyntaxError);
    }
    return { statusCode: 500, error: statusName(500), message: RUSSIAN_BY_STATUS[500] };
  }
}

/** The Russian message of a 503 when the error means a component is down, rather than a bug (a 500). */
function outageMessage(exception: unknown): string | undefined {
  if (isDatabaseUnavailable(exception)) return DATABASE_UNAVAILABLE_MESSAGE;
  if (isTemporalUnreachable(exception)) return TEMPORAL_UNREACHABLE_MESSAGE;
  return undefined;
}

/** Also answers the errors Fastify raises before routing (bad URL escapes, over-long parameters). */
export function fastifyErrorBody(error: { code?: string; statusCode?: number; message?: string }, syntaxError = false): ErrorBody {
  const status = error.statusCode ?? 400;
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  const invalidJson = syntaxError || /JSON/i.test(error.message ?? '');
  return {
    statusCode: status,
    error: statusName(status),
    message: known ?? (invalidJson ? 'Тело запроса не является корректным JSON' : russianMessage(status, '')),
  };
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers over the size limit, a malformed
 * request line or header), in the API's JSON shape and in Russian; Fastify's own handler writes English. The
 * connection is closed afterwards, as Node does, since the rest of the stream cannot be trusted.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status =
    error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? HttpStatus.REQUEST_TIMEOUT : 400;
  const message = status === 400 ? 'Некорректный HTTP-запрос: заголовки или строка запроса повреждены' : RUSSIAN_BY_STATUS[status];
  const body = JSON.stringify({ statusCode: status, error: statusName(status), message } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${statusName(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
