import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { AuditExportKind } from '../../../libs/audit';

export const EXPORT_SCOPES: readonly AuditExportKind[] = ['cycle', 'organization', 'task'];
export const EXPORT_FORMATS = ['json', 'csv'] as const;
export const CSV_DELIMITERS = ['comma', 'semicolon'] as const;

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class AuditExportQueryDto {
  @ApiProperty({ enum: EXPORT_SCOPES })
  @IsIn(EXPORT_SCOPES, { message: 'cycle (цикл), organization (организация) или task (задача)' })
  scope!: AuditExportKind;

  @ApiProperty({ description: 'The cycle, organisation or task id', example: 'demo-2026' })
  @IsString({ message: 'обязательное поле' })
  @MinLength(1, { message: 'обязательное поле' })
  @MaxLength(200, { message: 'не длиннее 200 символов' })
  id!: string;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'json или csv' })
  format: (typeof EXPORT_FORMATS)[number] = 'json';

  @ApiPropertyOptional({ description: "Every workflow's full history in the JSON (a task's export always has its own)", default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'true или false' })
  includeHistories?: boolean;

  @ApiPropertyOptional({
    enum: CSV_DELIMITERS,
    default: 'comma',
    description: 'CSV separator: semicolon is what Excel with Russian regional settings splits on',
  })
  @IsOptional()
  @IsIn(CSV_DELIMITERS, { message: 'comma (запятая) или semicolon (точка с запятой)' })
  delimiter?: (typeof CSV_DELIMITERS)[number];
}

export class WorkflowHistoryQueryDto {
  @ApiPropertyOptional({ description: 'One run of the workflow; the latest when omitted' })
  @IsOptional()
  @IsString({ message: 'ожидается идентификатор запуска' })
  @MinLength(1, { message: 'ожидается идентификатор запуска' })
  @MaxLength(100, { message: 'не длиннее 100 символов' })
  runId?: string;
}
