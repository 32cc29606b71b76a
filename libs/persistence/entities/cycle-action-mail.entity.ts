import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { NotificationRecipient, NotificationStatus } from './notification.entity';

/** What a four-eyes request's e-mail tells: a new request (to the confirmers), or its outcome (to the requester). */
export type CycleActionMailEvent = 'requested' | 'confirmed' | 'refused' | 'expired';

/**
 * The outbox of the four-eyes requests' e-mails: one row per request and event, written with the request's change and
 * its audit entry in one transaction, sent by the worker; see the CycleActionMails migration.
 */
@Entity({ name: 'cycle_action_mails' })
export class CycleActionMailEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'request_id', type: 'uuid' })
  requestId!: string;

  @Column({ type: 'varchar', length: 20 })
  event!: CycleActionMailEvent;

  @Column({ name: 'message_id', type: 'varchar', length: 300 })
  messageId!: string;

  @Column({ type: 'jsonb' })
  recipients!: NotificationRecipient[];

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
