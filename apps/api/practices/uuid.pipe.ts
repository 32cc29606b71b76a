import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/**
 * A path id that must be a UUID: anything else is a malformed request (400), never a database error (500).
 * `what` names it for the official: «идентификатор практики».
 */
export function uuidParam(what: string): ParseUUIDPipe {
  return new ParseUUIDPipe({
    exceptionFactory: () => new BadRequestException(`Неверный ${what}: ожидается UUID, например 3f1c2a9e-5b7d-4c1e-9a8f-0d6e2b4c7a15`),
  });
}
