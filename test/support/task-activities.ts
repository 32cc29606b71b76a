import type { DataSource } from 'typeorm';
import { createTaskActivities, type TaskActivities } from '../../activities';
import type { Mailer } from '../../libs/mail';
import { DirectoryRepository, NotificationOutboxRepository, TaskRepository } from '../../libs/persistence';

/** The worker's activities wired to a database and a mailer, as the worker module wires them, for tests and benches. */
export function buildTaskActivities(
  dataSource: DataSource,
  mailer: Mailer,
  messageIdDomain = 'uplift.test',
): TaskActivities {
  return createTaskActivities({
    tasks: new TaskRepository(dataSource),
    directory: new DirectoryRepository(dataSource),
    outbox: new NotificationOutboxRepository(dataSource),
    mailer,
    publicUrl: 'http://uplift.test',
    messageIdDomain,
  });
}
