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

  /**
   * When the ministry administrator withdrew the log-in; null: not withdrawn. The role and password stay, so giving
   * the log-in back restores it as it was.
   */
  @Column({ name: 'login_disabled_at', type: 'timestamptz', nullable: true })
  loginDisabledAt!: Date | null;

  /** When the current password was set (null: before this was recorded), as the administrator's directory shows it. */
  @Column({ name: 'password_set_at', type: 'timestamptz', nullable: true })
  passwordSetAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
