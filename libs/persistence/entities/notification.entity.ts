import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { NotificationKind } from '../../contracts/deadline-task';

export type NotificationStatus = 'pending' | 'sent' | 'no_recipients';

export interface NotificationRecipient {
  personId: string;
  fullName: string;
  email: string;
}

/** The e-mail outbox: one row per task and step, so a retried activity re-sends the same message or nothing. */
@Entity({ name: 'notifications' })
export class NotificationEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'task_id', type: 'varchar', length: 120 })
  taskId!: string;

  @Column({ name: 'step_key', type: 'varchar', length: 80 })
  stepKey!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: NotificationKind;

  @Column({ type: 'varchar', length: 30 })
  target!: string;

  @Column({ name: 'message_id', type: 'varchar', length: 300 })
  messageId!: string;

  @Column({ type: 'jsonb' })
  recipients!: NotificationRecipient[];

  @Column({ type: 'varchar', length: 500 })
  subject!: string;

  @Column({ name: 'body_text', type: 'text' })
  bodyText!: string;

  @Column({ name: 'body_html', type: 'text' })
  bodyHtml!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: NotificationStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
