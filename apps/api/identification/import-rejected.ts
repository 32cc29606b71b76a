import { Catch, HttpStatus, UnprocessableEntityException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ImportError } from '../../../libs/import';

/** A file refused as a whole: every problem as a line for people and as { row, column, message } for programs. */
export class ImportRejectedException extends UnprocessableEntityException {
  constructor(
    message: string,
    readonly details: string[],
    readonly errors: ImportError[],
  ) {
    super({ message, details, errors });
  }
}

/**
 * The global filter keeps only { statusCode, error, message, details }; an import refusal also carries `errors`,
 * which a client needs to mark the cells in the official's own spreadsheet.
 */
@Catch(ImportRejectedException)
export class ImportRejectedFilter implements ExceptionFilter {
  catch(exception: ImportRejectedException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(HttpStatus.UNPROCESSABLE_ENTITY).send({
      statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
      error: 'Unprocessable Entity',
      message: exception.message,
      details: exception.details,
      errors: exception.errors,
    });
  }
}
