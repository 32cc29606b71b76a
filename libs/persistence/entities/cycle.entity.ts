import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { CycleProgress, CycleStatus } from '../../contracts/cycle';
import type { ResolvedCyclePlan } from '../../contracts/cycle-template';

/**
 * A yearly cycle of a region (business key 'demo-2026'), launched from one template version. `progress` is the cycle
 * workflow's last reported state; only CycleRepository.saveProgress moves it, and only forward.
 */
@Entity({ name: 'cycles' })
export class CycleEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  /** Unique with academicYear: one cycle per region and year. */
  @Column({ name: 'region_code', type: 'varchar', length: 20 })
  regionCode!: string;

  @Column({ name: 'academic_year', type: 'integer' })
  academicYear!: number;

  /** With templateVersion, a reference to cycle_templates (id, version). */
  @Column({ name: 'template_id', type: 'varchar', length: 100 })
  templateId!: string;

  @Column({ name: 'template_version', type: 'integer' })
  templateVersion!: number;

  @Column({ name: 'workflow_id', type: 'varchar', length: 200, unique: true })
  workflowId!: string;

  @Column({ name: 'ministry_id', type: 'varchar', length: 64 })
  ministryId!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: CycleStatus;

  @Column({ type: 'jsonb' })
  plan!: ResolvedCyclePlan;

  @Column({ type: 'jsonb', nullable: true })
  progress!: CycleProgress | null;

  @Column({ name: 'launched_by', type: 'varchar', length: 200 })
  launchedBy!: string;

  @Column({ name: 'launched_at', type: 'timestamptz', default: () => 'now()' })
  launchedAt!: Date;

  @Column({ name: 'list_approved_at', type: 'timestamptz', nullable: true })
  listApprovedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
