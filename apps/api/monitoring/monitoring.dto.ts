import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { trimmed } from '../common/fields';

/** Form field and period ids as templates write them. */
const TEMPLATE_ID = /^[A-Za-z0-9_.@-]{1,100}$/;

export class DynamicsQueryDto {
  @ApiPropertyOptional({ description: "One indicator (a numeric field of the plan's monitoring form); all of them when omitted" })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: 'ожидается идентификатор показателя' })
  @MaxLength(100, { message: 'не длиннее 100 символов' })
  @Matches(TEMPLATE_ID, { message: 'идентификатор показателя из формы мониторинга (латинские буквы, цифры, _ . @ -)' })
  indicator?: string;
}

export class ReportsQueryDto {
  @ApiPropertyOptional({ description: "One monitoring period of the plan; every period when omitted" })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: 'ожидается идентификатор периода' })
  @MaxLength(100, { message: 'не длиннее 100 символов' })
  @Matches(TEMPLATE_ID, { message: 'идентификатор периода мониторинга из плана цикла (латинские буквы, цифры, _ . @ -)' })
  periodId?: string;
}
