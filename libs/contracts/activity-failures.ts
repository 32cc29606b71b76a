/**
 * Failure types the activities throw as non-retryable and the workflows recognise (sandbox-safe: plain constants).
 * A workflow tells a task's official «the data was refused» only for these; anything else that exhausted its
 * retry bounds is an outage.
 */

/** PostgreSQL refused the data of a write: SQLSTATE class 22 or 23. details[0] is `{ sqlState }`. */
export const DATA_REFUSED = 'DataRefusedByDatabase';

/** The mail server refused a message for good (a 5xx answer, or no recipient it accepts). */
export const MAIL_REFUSED = 'MailRefusedByServer';
