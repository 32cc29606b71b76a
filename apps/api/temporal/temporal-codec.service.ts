import { BadRequestException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { Payload } from '@temporalio/common';
import { PayloadDecryptionError } from '../../../libs/temporal-codec';
import { CodecPayloadsView, mapCodecPayloads, type CodecPayloadDto } from './temporal-codec.dto';
import { TemporalGateway } from './temporal-gateway';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Metadata names as Temporal's SDKs write them (`encoding`, `messageType`, `encryption-key-id`). */
const METADATA_NAME = /^[A-Za-z0-9._/-]{1,100}$/;

function refuse(detail: string): never {
  throw new BadRequestException({ message: 'Запрос содержит ошибки', details: [detail] });
}

function bytes(text: unknown, field: string): Uint8Array {
  if (typeof text !== 'string' || !BASE64.test(text)) refuse(`${field}: ожидается base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** The request's payloads as protobuf values; a malformed one is a 400 naming its field. */
export function payloadsOf(dtos: readonly CodecPayloadDto[]): Payload[] {
  return dtos.map((dto, index) => {
    const at = `payloads[${index}]`;
    const metadata: Record<string, Uint8Array> = Object.create(null) as Record<string, Uint8Array>;
    for (const [name, value] of Object.entries(dto.metadata ?? {})) {
      if (!METADATA_NAME.test(name)) refuse(`${at}.metadata: недопустимое имя «${name.slice(0, 100)}» (латинские буквы, цифры, . _ / -)`);
      metadata[name] = bytes(value, `${at}.metadata.${name}`);
    }
    return { metadata: { ...metadata }, data: dto.data === undefined ? new Uint8Array() : bytes(dto.data, `${at}.data`) };
  });
}

function decryptionRefusal(err: PayloadDecryptionError, index: number): string {
  const at = `payloads[${index}]`;
  const key = err.keyId ? `«${err.keyId}»` : '';
  switch (err.reason) {
    case 'unknown-key':
      return `${at}: зашифрован ключом ${key}, которого нет в TEMPORAL_PAYLOAD_KEYS; верните этот ключ в список`;
    case 'not-authentic':
      return `${at}: не прошёл проверку подлинности ключом ${key}: данные изменены или зашифрованы другим ключом с тем же именем`;
    case 'truncated':
      return `${at}: данные обрезаны`;
    case 'no-key-id':
      return `${at}: не указан ключ шифрования (encryption-key-id)`;
    case 'unknown-cipher':
      return `${at}: неизвестный способ шифрования`;
  }
}

/**
 * The Temporal Web UI's codec server: payloads in, payloads out, with the very codec the API's client uses (the key
 * ring of TEMPORAL_PAYLOAD_KEYS). Stores nothing.
 */
@Injectable()
export class TemporalCodecService {
  constructor(private readonly temporal: TemporalGateway) {}

  /** The UI names the namespace it shows; the key ring is this installation's namespace's only. */
  private assertNamespace(namespace: string | undefined): void {
    const ours = this.temporal.config.temporal.namespace;
    if (namespace !== undefined && namespace !== '' && namespace !== ours) {
      throw new BadRequestException(`Пространство имён «${namespace}» не обслуживается: расшифровываются только данные «${ours}»`);
    }
  }

  async decode(dtos: readonly CodecPayloadDto[], namespace: string | undefined): Promise<CodecPayloadsView> {
    this.assertNamespace(namespace);
    const payloads = payloadsOf(dtos);
    const decoded: Payload[] = [];
    for (const [index, payload] of payloads.entries()) {
      try {
        decoded.push(...(await this.temporal.payloadCodec.decode([payload])));
      } catch (err) {
        if (err instanceof PayloadDecryptionError) {
          throw new UnprocessableEntityException({ message: 'Не удалось расшифровать данные', details: [decryptionRefusal(err, index)] });
        }
        throw err;
      }
    }
    return mapCodecPayloads(decoded);
  }

  async encode(dtos: readonly CodecPayloadDto[], namespace: string | undefined): Promise<CodecPayloadsView> {
    this.assertNamespace(namespace);
    return mapCodecPayloads(await this.temporal.payloadCodec.encode(payloadsOf(dtos)));
  }
}
