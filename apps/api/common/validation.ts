import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import { notLongerThan } from './fields';

const CYRILLIC = /[А-Яа-яЁё]/;

/** The number a class-validator default message ends with ("… must not be less than 1" → "1"). */
function lastNumber(message: string): string {
  return /(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\D*$/i.exec(message)?.[1] ?? '';
}

/** The list after "one of the following values:" in isIn/isEnum default messages. */
function allowedValues(message: string): string {
  return message.split(/following values:\s*/)[1]?.trim() ?? '';
}

/**
 * Russian for class-validator's own messages, by constraint name, for decorators declared without a message of their
 * own (a bare @Min(1) says "version must not be less than 1"). Parameters are read back from the English text.
 */
const DEFAULT_MESSAGES: Record<string, (english: string) => string> = {
  whitelistValidation: (m) => {
    const field = /property (\S+) should not exist/.exec(m)?.[1];
    return field ? `поле ${field} не предусмотрено` : 'поле не предусмотрено';
  },
  nestedValidation: (m) => (m.startsWith('each value') ? 'каждый элемент списка должен быть объектом' : 'ожидается объект'),
  unknownValue: () => 'ожидается объект JSON',
  isDefined: () => 'обязательное поле',
  isNotEmpty: () => 'обязательное поле',
  arrayNotEmpty: () => 'список не должен быть пустым',
  isString: () => 'ожидается текст',
  isBoolean: () => 'true или false',
  isInt: () => 'ожидается целое число',
  isNumber: () => 'ожидается число',
  isNumberString: () => 'ожидается число',
  isPositive: () => 'ожидается положительное число',
  isArray: () => 'ожидается список',
  isObject: () => 'ожидается объект',
  isNotEmptyObject: () => 'ожидается непустой объект',
  isEmail: () => 'адрес электронной почты',
  isUrl: () => 'ссылка http(s)://…',
  isUUID: () => 'идентификатор UUID',
  isISO8601: () => 'дата или момент времени в формате ISO 8601',
  isDateString: () => 'дата или момент времени в формате ISO 8601',
  isDate: () => 'ожидается дата',
  isIn: (m) => `одно из значений: ${allowedValues(m)}`,
  isEnum: (m) => `одно из значений: ${allowedValues(m)}`,
  matches: () => 'значение в неверном формате',
  min: (m) => `не меньше ${lastNumber(m)}`,
  max: (m) => `не больше ${lastNumber(m)}`,
  minLength: (m) => `не короче ${countOf(Number(lastNumber(m)), NOUNS.characterGenitive)}`,
  maxLength: (m) => notLongerThan(Number(lastNumber(m))),
  arrayMinSize: (m) => `не меньше ${countOf(Number(lastNumber(m)), NOUNS.elementGenitive)}`,
  arrayMaxSize: (m) => `не больше ${countOf(Number(lastNumber(m)), NOUNS.elementGenitive)}`,
  arrayUnique: () => 'элементы списка не должны повторяться',
};

/**
 * The constraint's message in Russian: a message written in Russian stays; an English default is translated. The
 * field's own name is left out of that judgement: an unknown field named in Cyrillic (or with a Cyrillic homoglyph,
 * `progrаmme`) does not make "property … should not exist" Russian.
 */
export function russianConstraintMessage(constraint: string, message: string, property = ''): string {
  const ownWords = property ? message.split(property).join('') : message;
  if (CYRILLIC.test(ownWords)) return message;
  if (constraint === 'whitelistValidation' && property) return `поле ${property} не предусмотрено`;
  return DEFAULT_MESSAGES[constraint]?.(message) ?? 'недопустимое значение';
}

/** Flattens nested class-validator errors into 'policy.reminders[0].daysBefore: …' lines a person can act on. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const isIndex = /^\d+$/.test(error.property);
    const path = isIndex ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(
      ([constraint, message]) => `${path ? `${path}: ` : ''}${russianConstraintMessage(constraint, message, error.property)}`,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
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
        details: [...new Set(flattenValidationErrors(errors))],
      }),
  });
}
