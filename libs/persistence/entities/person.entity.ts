import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'people' })
export class PersonEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId!: string;

  @Column({ name: 'full_name', type: 'varchar', length: 200 })
  fullName!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  position!: string;

  /** The head receives the first escalation when the organisation is late. */
  @Column({ name: 'is_head', type: 'boolean', default: false })
  isHead!: boolean;

  /**
   * What the person may do after logging in (one of apps/api/auth/roles.ts, checked by the database); null: the
   * person only receives e-mails.
   */
  @Column({ type: 'varchar', length: 40, nullable: true })
  role!: string | null;

  /** bcrypt; null: the person cannot log in. Never leaves the repository layer in an API answer. */
  @Column({ name: 'password_hash', type: 'varchar', length: 100, nullable: true, select: false })
  passwordHash!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
