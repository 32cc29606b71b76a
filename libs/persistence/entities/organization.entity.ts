import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type OrganizationKind = 'ministry' | 'institute' | 'municipality' | 'school';
export const ORGANIZATION_KINDS: readonly OrganizationKind[] = ['ministry', 'institute', 'municipality', 'school'];

@Entity({ name: 'organizations' })
export class OrganizationEntity {
  /** A readable business key ('demo-mun-severny'): it appears in task keys, URLs and audit exports. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: OrganizationKind;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ name: 'region_code', type: 'varchar', length: 20 })
  regionCode!: string;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ name: 'parent_id', type: 'varchar', length: 64, nullable: true })
  parentId!: string | null;

  /**
   * A school's code as the ministry's files write it (text: leading zeros matter), unique within the region; the
   * identification imports find schools by it. Null for other kinds and for schools nobody has coded yet.
   */
  @Column({ type: 'varchar', length: 32, nullable: true })
  code!: string | null;

  /** A municipality's neighbours as the ministry wrote them (partner suggestions read the relation both ways). */
  @Column({ name: 'neighbour_ids', type: 'text', array: true, default: () => "'{}'" })
  neighbourIds!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
