import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class DocumentUploadQueryDto {
  @ApiPropertyOptional({ description: 'The organisation the document belongs to; default: the user\'s own' })
  @IsOptional()
  @IsString({ message: 'ожидается идентификатор организации' })
  @MinLength(1, { message: 'пустой идентификатор организации' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  organizationId?: string;
}
