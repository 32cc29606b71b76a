import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { notLongerThan } from './fields';

/** Flattens nested class-validator errors into 'policy.reminders[0].daysBefore: …' lines a person can act on. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const isIndex = /^\d+$/.test(error.property);
    const path = isIndex ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

// class-validator's own English messages, for decorators declared without a Russian one (e.g. a bare @MaxLength(64)).
const DEFAULT_MESSAGES: [RegExp, (...groups: string[]) => string][] = [
  [/property (\S+) should not exist$/, (field) => `поле ${field} не предусмотрено`],
  [/\S+ must be shorter than or equal to (\d+) characters$/, (max) => notLongerThan(Number(max))],
  [/\S+ must be a string$/, () => 'ожидается текст'],
  [/each value in nested property \S+ must be either object or array$/, () => 'каждый элемент списка должен быть объектом'],
  [/nested property \S+ must be either object or array$/, () => 'ожидается объект'],
];

function translateDefaultMessage(line: string): string {
  const rule = DEFAULT_MESSAGES.find(([pattern]) => pattern.test(line));
  return rule ? line.replace(rule[0], (_match, ...groups: string[]) => rule[1](...groups)) : line;
}

/** The one global pipe: unknown fields are refused, not silently dropped, so a typo is seen at once. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        message: 'Запрос содержит ошибки',
        // Two decorators can say the same thing about one field (a missing title is neither text nor non-empty).
        details: [...new Set(flattenValidationErrors(errors).map(translateDefaultMessage))],
      }),
  });
}
