import { HttpException, HttpStatus } from '@nestjs/common';
import { countOf, type RussianForms } from '../../../libs/domain/russian';

// After «через»: «через 1 минуту», «через 3 минуты», «через 15 минут».
const MINUTES_ACCUSATIVE: RussianForms = { one: 'минуту', few: 'минуты', many: 'минут' };
const SECONDS_ACCUSATIVE: RussianForms = { one: 'секунду', few: 'секунды', many: 'секунд' };

/** «через 42 секунды» up to two minutes, then whole minutes rounded up: «через 15 минут». */
export function afterWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  return whole < 120 ? `через ${countOf(whole, SECONDS_ACCUSATIVE)}` : `через ${countOf(Math.ceil(whole / 60), MINUTES_ACCUSATIVE)}`;
}

/**
 * 429 with `Retry-After` (whole seconds), which the exception filter writes: for the log-in rate limits and for a
 * log-in locked after repeated wrong passwords.
 */
export class RetryLaterException extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super({ message }, HttpStatus.TOO_MANY_REQUESTS);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
