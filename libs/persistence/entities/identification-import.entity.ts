import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type IdentificationImportKind = 'results' | 'social';

/** One accepted identification file (assessment results or social passports) of a cycle, with its parsed rows. */
@Entity({ name: 'identification_imports' })
@Index('identification_imports_cycle', ['cycleId', 'kind', 'importedAt'])
export class IdentificationImportEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: IdentificationImportKind;

  @Column({ name: 'file_name', type: 'varchar', length: 300 })
  fileName!: string;

  @Column({ type: 'char', length: 64 })
  sha256!: string;

  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;

  /** The parsed rows (AssessmentRow[] or SocialPassportRow[]), as the ranking reads them. */
  @Column({ type: 'jsonb' })
  rows!: unknown[];

  @Column({ name: 'imported_by', type: 'varchar', length: 200 })
  importedBy!: string;

  @Column({ name: 'imported_at', type: 'timestamptz', default: () => 'now()' })
  importedAt!: Date;
}
