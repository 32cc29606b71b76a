import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failure messages and stack traces go into an encoded payload (and so through the encryption codec) instead of
 * the failure's clear fields: an SMTP refusal or a database error can quote an e-mail address. Loaded by path
 * (DataConverter.failureConverterPath) into the workflow sandbox too, so it imports nothing but @temporalio/common.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
