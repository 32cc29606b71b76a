import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import {
  DEFAULT_MIN_ASSESSED_TASKS,
  LATENESS_RISK_CAPS,
  LATENESS_RISK_LEVELS,
  LATENESS_RISK_WEIGHTS,
  type LatenessRiskLevel,
  type LatenessRiskRow,
} from '../../../libs/domain/analytics';
import { DATE_TIME } from '../common/views';

export const MAX_MIN_TASKS = 100;

export class LatenessRiskQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    default: DEFAULT_MIN_ASSESSED_TASKS,
    minimum: 1,
    maximum: MAX_MIN_TASKS,
    description: 'A municipality with fewer tasks whose deadline has come is flagged as insufficient data and ranked last',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число задач' })
  @Min(1, { message: 'не меньше 1' })
  @Max(MAX_MIN_TASKS, { message: `не больше ${MAX_MIN_TASKS}` })
  minTasks?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

const LEVELS: LatenessRiskLevel[] = ['high', 'medium', 'low', 'insufficient_data'];

export class LatenessRiskCountsView {
  @ApiProperty({ description: 'Tasks of the municipality and its schools in the cycle, cancelled ones left out' }) tasks!: number;
  @ApiProperty({ description: 'Tasks whose deadline has come: completed, overdue, or escalated' }) assessed!: number;
  @ApiProperty({ description: 'Completed late or open past the deadline' }) late!: number;
  @ApiProperty({ description: 'Open past the deadline now' }) openOverdue!: number;
  @ApiProperty() completedLate!: number;
  @ApiProperty({ description: 'Open and not yet due: not part of the score' }) notYetDue!: number;
  @ApiProperty({ description: 'Escalation e-mails the outbox recorded (curators\' copies not counted)' }) escalations!: number;
  @ApiProperty({ description: 'The longest an open task is overdue, in working days; 0 when none is' }) maxOverdueWorkingDays!: number;
}

export class LatenessRiskComponentsView {
  @ApiProperty({ description: 'late / assessed, 0..1' }) overdueShare!: number;
  @ApiProperty({ description: 'escalations / assessed' }) escalationsPerTask!: number;
  @ApiProperty({ description: 'Mean lateness of the late tasks in working days (production calendar); 0 when none is late' })
  averageLatenessWorkingDays!: number;
}

export class LatenessRiskContributionsView {
  @ApiProperty({ description: 'weight × overdueShare' }) overdue!: number;
  @ApiProperty({ description: 'weight × min(1, escalationsPerTask / cap)' }) escalations!: number;
  @ApiProperty({ description: 'weight × min(1, averageLatenessWorkingDays / cap)' }) lateness!: number;
}

export class LatenessRiskRowView {
  @ApiProperty({ description: '1-based, unique; rows with too little data come after all others' }) rank!: number;
  @ApiProperty() municipalityId!: string;
  @ApiProperty() municipalityName!: string;
  @ApiProperty({ description: '0..1: the sum of the contributions' }) score!: number;
  @ApiProperty({ enum: LEVELS }) level!: LatenessRiskLevel;
  @ApiProperty() insufficientData!: boolean;
  @ApiProperty({ type: LatenessRiskCountsView }) counts!: LatenessRiskCountsView;
  @ApiProperty({ type: LatenessRiskComponentsView }) components!: LatenessRiskComponentsView;
  @ApiProperty({ type: LatenessRiskContributionsView }) contributions!: LatenessRiskContributionsView;
  @ApiProperty({ type: [String], description: 'Why, in Russian: «просрочено 3 задачи из 8 (38 %)», «эскалаций: 2», …' }) reasons!: string[];
}

export class LatenessRiskWeightsView {
  @ApiProperty() overdue!: number;
  @ApiProperty() escalations!: number;
  @ApiProperty() lateness!: number;
}

export class LatenessRiskCapsView {
  @ApiProperty({ description: 'Escalations per task at which that component is full' }) escalationsPerTask!: number;
  @ApiProperty({ description: 'Mean working days late at which that component is full' }) averageLatenessWorkingDays!: number;
}

export class LatenessRiskMethodView {
  @ApiProperty({ type: LatenessRiskWeightsView }) weights!: LatenessRiskWeightsView;
  @ApiProperty({ type: LatenessRiskCapsView }) caps!: LatenessRiskCapsView;
  @ApiProperty({ description: 'Level «high» from this score' }) highFrom!: number;
  @ApiProperty({ description: 'Level «medium» from this score' }) mediumFrom!: number;
  @ApiProperty({ description: 'Fewer assessed tasks flag a row as insufficient data' }) minAssessedTasks!: number;
}

export class LatenessRiskView {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ ...DATE_TIME, description: 'The moment the ranking describes (UTC): «overdue» means overdue then' }) asOf!: string;
  @ApiProperty({
    enum: ['region', 'own_municipality'],
    description: "'own_municipality': a municipal coordinator's answer, its own row only, ranked among all of the region's",
  })
  scope!: 'region' | 'own_municipality';
  @ApiProperty({ description: "How many of the region's municipalities were ranked (the ranks run 1..this)" }) ranked!: number;
  @ApiProperty({ type: LatenessRiskMethodView }) method!: LatenessRiskMethodView;
  @ApiProperty({ type: [LatenessRiskRowView], description: 'By rank' }) items!: LatenessRiskRowView[];
}

export function mapLatenessRiskRow(row: LatenessRiskRow): LatenessRiskRowView {
  return {
    rank: row.rank,
    municipalityId: row.municipalityId,
    municipalityName: row.name,
    score: row.score,
    level: row.level,
    insufficientData: row.insufficientData,
    counts: { ...row.counts },
    components: { ...row.components },
    contributions: { ...row.contributions },
    reasons: [...row.reasons],
  };
}

export function mapLatenessRisk(input: {
  cycleId: string;
  asOf: Date;
  scope: LatenessRiskView['scope'];
  minAssessedTasks: number;
  ranked: number;
  rows: LatenessRiskRow[];
}): LatenessRiskView {
  return {
    cycleId: input.cycleId,
    asOf: input.asOf.toISOString(),
    scope: input.scope,
    ranked: input.ranked,
    method: {
      weights: { ...LATENESS_RISK_WEIGHTS },
      caps: { ...LATENESS_RISK_CAPS },
      highFrom: LATENESS_RISK_LEVELS.high,
      mediumFrom: LATENESS_RISK_LEVELS.medium,
      minAssessedTasks: input.minAssessedTasks,
    },
    items: input.rows.map(mapLatenessRiskRow),
  };
}
