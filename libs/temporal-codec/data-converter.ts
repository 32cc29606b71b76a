import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec';
import type { PayloadKey } from './payload-keys';

/** The module the worker's bundler and every client load the failure converter from. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * What every Client, Worker, replayer and bundle of the project uses: payloads encrypted under the key ring, failure
 * messages encoded so that they are encrypted too.
 */
export function upliftDataConverter(keys: readonly PayloadKey[]): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keys)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
