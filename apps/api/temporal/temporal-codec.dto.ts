import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import type { Payload } from '@temporalio/common';
import { payloadToJSON } from '@temporalio/common/lib/proto-utils';

/** Payloads one request may carry; the Web UI sends those of one event or one list at a time. */
export const CODEC_MAX_PAYLOADS = 1000;

/** A Temporal payload in its proto3 JSON form, as the Web UI and `temporal … --codec-endpoint` send and expect it. */
export class CodecPayloadDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'byte' },
    description: 'Metadata by name, each value in base64 (e.g. `encoding`: base64 of `binary/encrypted`)',
    example: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' },
  })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ type: 'string', format: 'byte', description: 'The payload’s bytes in base64' })
  @IsOptional()
  @IsString()
  data?: string;
}

export class CodecPayloadsDto {
  @ApiProperty({ type: [CodecPayloadDto], maxItems: CODEC_MAX_PAYLOADS })
  @IsArray()
  @ArrayMaxSize(CODEC_MAX_PAYLOADS)
  @ValidateNested({ each: true })
  @Type(() => CodecPayloadDto)
  payloads!: CodecPayloadDto[];
}

export class CodecPayloadView {
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'Metadata by name, in base64' })
  metadata!: Record<string, string>;

  @ApiProperty({ type: 'string', format: 'byte', description: 'The bytes in base64 (empty for an empty payload)' })
  data!: string;
}

export class CodecPayloadsView {
  @ApiProperty({ type: [CodecPayloadView], description: 'In the order of the request' })
  payloads!: CodecPayloadView[];
}

export function mapCodecPayloads(payloads: readonly Payload[]): CodecPayloadsView {
  return {
    payloads: payloads.map((payload) => {
      const json = payloadToJSON(payload);
      return { metadata: json.metadata ?? {}, data: json.data ?? '' };
    }),
  };
}
