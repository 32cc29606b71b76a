import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { createCycleActionActivities, createCycleActivities, createTaskActivities, type TaskActivities } from '../../activities';
import type { Mailer } from '../../libs/mail';
import {
  AgreementRepository,
  CycleActionRequestRepository,
  CycleParticipantRepository,
  CycleRepository,
  SubmissionRepository,
  DirectoryRepository,
  NotificationOutboxRepository,
  TaskRepository,
  CycleJournalRepository,
  taskRecordRepository,
} from '../../libs/persistence';

/** The worker's activities wired to a database and a mailer, as the worker module wires them, for tests and benches. */
export function buildTaskActivities(
  dataSource: DataSource,
  mailer: Mailer,
  messageIdDomain = 'uplift.test',
): TaskActivities {
  return createTaskActivities({
    tasks: new TaskRepository(dataSource),
    records: taskRecordRepository(dataSource),
    directory: new DirectoryRepository(dataSource),
    outbox: new NotificationOutboxRepository(dataSource),
    mailer,
    publicUrl: 'http://uplift.test',
    messageIdDomain,
  });
}

/** Every activity the worker registers: the tasks' and the cycles'. */
export function buildWorkerActivities(dataSource: DataSource, mailer: Mailer, temporal: Client) {
  const cycles = new CycleRepository(dataSource);
  return {
    ...buildTaskActivities(dataSource, mailer),
    ...createCycleActivities({
      cycles,
      participants: new CycleParticipantRepository(dataSource),
      agreements: new AgreementRepository(dataSource),
      submissions: new SubmissionRepository(dataSource),
      journal: new CycleJournalRepository(dataSource, cycles),
      temporal,
    }),
    ...createCycleActionActivities({
      requests: new CycleActionRequestRepository(dataSource),
      directory: new DirectoryRepository(dataSource),
      mailer,
      publicUrl: 'http://uplift.test',
      messageIdDomain: 'uplift.test',
    }),
  };
}
