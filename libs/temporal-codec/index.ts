export {
  AesGcmPayloadCodec,
  CIPHER,
  CIPHER_METADATA,
  ENCRYPTED_ENCODING,
  isEncryptedPayload,
  KEY_ID_METADATA,
  PayloadDecryptionError,
  payloadKeyId,
} from './aes-gcm-codec';
export { FAILURE_CONVERTER_PATH, upliftDataConverter } from './data-converter';
export { decodeHistoryPayloads, decryptHistoryJson, fetchDecodedHistory } from './history';
export { formatPayloadKeys, parsePayloadKeys, PAYLOAD_KEY_BYTES, PAYLOAD_KEY_ID, PayloadKeyRingError, type PayloadKey } from './payload-keys';
