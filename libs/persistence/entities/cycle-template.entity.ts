import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { CycleTemplate } from '../../contracts/cycle-template';

/** One immutable version of a roadmap template: a running cycle keeps the plan of the version it was launched with. */
@Entity({ name: 'cycle_templates' })
export class CycleTemplateEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  id!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  @Column({ name: 'source_format', type: 'varchar', length: 10 })
  sourceFormat!: 'yaml' | 'json';

  /** The text as the ministry wrote it (YAML or JSON), kept for auditors and for editing the next version. */
  @Column({ name: 'source_text', type: 'text' })
  sourceText!: string;

  @Column({ type: 'jsonb' })
  document!: CycleTemplate;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ type: 'boolean', default: false })
  builtin!: boolean;

  /** The region whose ministry published it; null for the shipped roadmaps every region may launch. */
  @Column({ name: 'owner_region_code', type: 'varchar', length: 20, nullable: true })
  ownerRegionCode!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
