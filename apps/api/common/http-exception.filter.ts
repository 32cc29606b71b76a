import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import { errorCodes, type FastifyReply } from 'fastify';

interface ErrorBody {
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

const STATUS_NAMES: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Every error leaves the API as { statusCode, error, message, details? } with a Russian message. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (exception instanceof HttpException && body.statusCode >= 500) {
      // A deliberate 503 (a component is down) is an operational fact, not a bug: no stack trace, but the reason.
      const cause = exception.cause instanceof Error ? ` (${exception.cause.name}: ${exception.cause.message})` : '';
      this.logger.warn(`${body.statusCode}: ${body.message}${cause}`);
    } else if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
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
      return {
        statusCode: status,
        error: STATUS_NAMES[status] ?? 'Error',
        message: status === HttpStatus.NOT_FOUND && message.startsWith('Cannot ') ? 'Адрес не найден' : message,
        ...(Array.isArray(payload.details) ? { details: payload.details as string[] } : {}),
      };
    }
    const fastifyError = exception as { code?: string; statusCode?: number; message?: string };
    if (typeof fastifyError?.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return fastifyErrorBody(fastifyError, exception instanceof SyntaxError);
    }
    return { statusCode: 500, error: STATUS_NAMES[500], message: 'Внутренняя ошибка сервера' };
  }
}

/** Also answers the errors Fastify raises before routing (bad URL escapes, over-long parameters). */
export function fastifyErrorBody(error: { code?: string; statusCode?: number; message?: string }, syntaxError = false): ErrorBody {
  const status = error.statusCode ?? 400;
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  const invalidJson = syntaxError || /JSON/i.test(error.message ?? '');
  return {
    statusCode: status,
    error: STATUS_NAMES[status] ?? 'Error',
    message: known ?? (invalidJson ? 'Тело запроса не является корректным JSON' : 'Некорректный запрос'),
  };
}
