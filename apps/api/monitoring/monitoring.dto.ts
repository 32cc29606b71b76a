import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { trimmed } from '../common/fields';
import { DATE_TIME, FREE_FORM_OBJECT } from '../common/views';

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

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export class MonitoringFormRefView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
}

export class IndicatorView {
  @ApiProperty({ description: 'A numeric field of the monitoring form' }) id!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() unit?: string;
  @ApiProperty() higherIsBetter!: boolean;
}

export class PeriodView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: "1, 2, … in the plan's order" }) order!: number;
  @ApiProperty() stepKey!: string;
  @ApiProperty({ description: "Local 'YYYY-MM-DDTHH:mm:ss' as planned, before the non-working-day shift" }) dueLocal!: string;
}

export class SeriesPointView {
  @ApiProperty() periodId!: string;
  @ApiProperty() periodOrder!: number;
  @ApiProperty() value!: number;
}

export class SchoolDynamicsView {
  @ApiProperty() organizationId!: string;
  @ApiProperty() municipalityId!: string;
  @ApiProperty() indicatorId!: string;
  @ApiProperty() higherIsBetter!: boolean;
  @ApiProperty({ type: [SeriesPointView], description: 'Reported values in period order; a gap is a missing point' }) series!: SeriesPointView[];
  @ApiProperty({ type: Number, nullable: true }) first!: number | null;
  @ApiProperty({ type: Number, nullable: true }) last!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'last − first as reported; null with fewer than two values' }) change!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'change turned so that positive = better' }) improvement!: number | null;
  @ApiProperty({ description: 'Steps between consecutive reported values' }) steps!: number;
  @ApiProperty() nonWorseningSteps!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'nonWorseningSteps / steps; null when there is no step' }) steadiness!: number | null;
  @ApiProperty() organizationName!: string;
}

export class MunicipalityPointView {
  @ApiProperty() periodId!: string;
  @ApiProperty() periodOrder!: number;
  @ApiProperty({ description: "Mean of its schools' reported values" }) mean!: number;
  @ApiProperty({ description: "How many of the municipality's schools reported a value" }) reported!: number;
}

export class MunicipalityDynamicsView {
  @ApiProperty() municipalityId!: string;
  @ApiProperty() indicatorId!: string;
  @ApiProperty({ type: [MunicipalityPointView] }) series!: MunicipalityPointView[];
  @ApiProperty() municipalityName!: string;
}

export class MissingReportView {
  @ApiProperty() organizationId!: string;
  @ApiProperty() organizationName!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty({ description: 'UTC instant' }) dueAt!: string;
  @ApiProperty({ description: 'The deadline has passed and the report is still not in' }) overdue!: boolean;
}

export class LateReportView {
  @ApiProperty() organizationId!: string;
  @ApiProperty() organizationName!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty({ description: 'UTC instant' }) dueAt!: string;
  @ApiProperty({ description: 'UTC instant' }) completedAt!: string;
  @ApiProperty() lateBySeconds!: number;
}

export class PeriodReportingView {
  @ApiProperty() periodId!: string;
  @ApiProperty({ description: "Report tasks issued for the period (in the user's scope)" }) expected!: number;
  @ApiProperty() submitted!: number;
  @ApiProperty({ type: [MissingReportView] }) missing!: MissingReportView[];
  @ApiProperty({ type: [LateReportView] }) late!: LateReportView[];
}

export class DynamicsView {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ type: MonitoringFormRefView }) form!: MonitoringFormRefView;
  @ApiProperty({ type: [IndicatorView] }) indicators!: IndicatorView[];
  @ApiProperty({ type: [PeriodView] }) periods!: PeriodView[];
  @ApiProperty({ type: [SchoolDynamicsView] }) schools!: SchoolDynamicsView[];
  @ApiProperty({ type: [MunicipalityDynamicsView] }) municipalities!: MunicipalityDynamicsView[];
  @ApiProperty({ type: [PeriodReportingView] }) reporting!: PeriodReportingView[];
}

export class ReportView {
  @ApiProperty() submissionId!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty() organizationName!: string;
  @ApiProperty() municipalityId!: string;
  @ApiProperty({ type: String, nullable: true }) periodId!: string | null;
  @ApiProperty({ type: String, nullable: true }) periodTitle!: string | null;
  @ApiProperty() version!: number;
  @ApiProperty({ ...FREE_FORM_OBJECT, description: 'The monitoring form as filled in' }) values!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() submittedBy!: string;
  @ApiProperty(DATE_TIME) submittedAt!: string;
  @ApiProperty({ type: Boolean, nullable: true, description: "Null when the task's record is not at hand" }) late!: boolean | null;
}

export class ReportsView {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ type: [PeriodView] }) periods!: PeriodView[];
  @ApiProperty({ type: [ReportView] }) items!: ReportView[];
}
