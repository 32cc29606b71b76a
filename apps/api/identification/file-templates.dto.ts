import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import {
  IMPORT_FILE_KINDS,
  TEMPLATE_FORMATS,
  type FileFormatDescription,
  type ImportFileKind,
  type TemplateFormat,
} from '../../../libs/import';

export const FILE_TEMPLATES_PATH = '/api/identification/file-templates';

export class FileTemplateParamsDto {
  @ApiProperty({ enum: IMPORT_FILE_KINDS, description: 'results: assessment results; social: social passports' })
  @IsIn(IMPORT_FILE_KINDS, { message: 'results (результаты оценочных процедур) или social (социальные паспорта школ)' })
  kind!: ImportFileKind;
}

export class FileTemplateQueryDto {
  @ApiPropertyOptional({ enum: TEMPLATE_FORMATS, default: 'xlsx' })
  @IsOptional()
  @IsIn(TEMPLATE_FORMATS, { message: 'csv или xlsx' })
  format?: TemplateFormat;
}

export class FileColumnView {
  @ApiProperty({ example: 'Код ОО', description: 'The name the template uses' }) title!: string;
  @ApiProperty({ description: 'The file is refused without the column' }) required!: boolean;
  @ApiProperty({ type: [String], example: ['Код школы', 'Код'], description: 'Other names the importer takes for it' })
  aliases!: string[];
  @ApiProperty({ description: 'What goes in the column (Russian)' }) description!: string;
}

export class FileTemplateLinksView {
  @ApiProperty({ example: `${FILE_TEMPLATES_PATH}/results?format=csv` }) csv!: string;
  @ApiProperty({ example: `${FILE_TEMPLATES_PATH}/results?format=xlsx` }) xlsx!: string;
}

export class FileFormatView {
  @ApiProperty({ enum: IMPORT_FILE_KINDS }) kind!: ImportFileKind;
  @ApiProperty({ example: 'Результаты оценочных процедур' }) title!: string;
  @ApiProperty({ type: [FileColumnView] }) columns!: FileColumnView[];
  @ApiProperty({ type: [String], description: 'Encodings, delimiters, number formats, limits (Russian)' }) rules!: string[];
  @ApiProperty({ type: FileTemplateLinksView, description: 'The template with example rows, to download' })
  templates!: FileTemplateLinksView;
}

export function mapFileFormat(format: FileFormatDescription): FileFormatView {
  const link = (as: TemplateFormat) => `${FILE_TEMPLATES_PATH}/${format.kind}?format=${as}`;
  return {
    kind: format.kind,
    title: format.title,
    columns: format.columns.map((c) => ({ title: c.title, required: c.required, aliases: c.aliases, description: c.description })),
    rules: format.rules,
    templates: { csv: link('csv'), xlsx: link('xlsx') },
  };
}
