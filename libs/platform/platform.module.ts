import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { Mailer } from '../mail';
import {
  AuditLogRepository,
  CuratorshipRepository,
  CycleRepository,
  CycleParticipantRepository,
  AgreementRepository,
  SubmissionRepository,
  RemarkRepository,
  CycleActionRequestRepository,
  dataSourceOptions,
  IdempotencyRepository,
  DocumentRepository,
  LoginFailureRepository,
  DirectoryRepository,
  NotificationOutboxRepository,
  runMigrations,
  SessionRepository,
  TaskRepository,
  TemplateRepository,
  WorkflowHistoryRepository,
  PracticeRepository,
  IdentificationImportRepository,
  DatabaseProbeRepository,
  ExtensionRequestRepository,
  TaskRecordRepository,
  taskRecordRepository,
  CycleJournalRepository,
} from '../persistence';

export const APP_CONFIG = Symbol('APP_CONFIG');

@Injectable()
class PlatformShutdown implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mailer: Mailer,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.mailer.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/**
 * What both processes share: configuration, the database (migrated at boot under an advisory lock),
 * the repositories and the mailer. The API and the worker each import it into their own root module.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        {
          provide: DataSource,
          useFactory: async () => {
            const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl)).initialize();
            const applied = await runMigrations(dataSource);
            if (applied.length) new Logger('Database').log(`applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        },
        { provide: DirectoryRepository, useFactory: (ds: DataSource) => new DirectoryRepository(ds), inject: [DataSource] },
        { provide: TaskRepository, useFactory: (ds: DataSource) => new TaskRepository(ds), inject: [DataSource] },
        {
          provide: NotificationOutboxRepository,
          useFactory: (ds: DataSource) => new NotificationOutboxRepository(ds),
          inject: [DataSource],
        },
        { provide: AuditLogRepository, useFactory: (ds: DataSource) => new AuditLogRepository(ds), inject: [DataSource] },
        { provide: CycleRepository, useFactory: (ds: DataSource) => new CycleRepository(ds), inject: [DataSource] },
        { provide: CycleParticipantRepository, useFactory: (ds: DataSource) => new CycleParticipantRepository(ds), inject: [DataSource] },
        { provide: AgreementRepository, useFactory: (ds: DataSource) => new AgreementRepository(ds), inject: [DataSource] },
        { provide: SubmissionRepository, useFactory: (ds: DataSource) => new SubmissionRepository(ds), inject: [DataSource] },
        { provide: RemarkRepository, useFactory: (ds: DataSource) => new RemarkRepository(ds), inject: [DataSource] },
        { provide: DocumentRepository, useFactory: (ds: DataSource) => new DocumentRepository(ds), inject: [DataSource] },
        { provide: TemplateRepository, useFactory: (ds: DataSource) => new TemplateRepository(ds), inject: [DataSource] },
        {
          provide: WorkflowHistoryRepository,
          useFactory: (ds: DataSource) => new WorkflowHistoryRepository(ds),
          inject: [DataSource],
        },
        { provide: CuratorshipRepository, useFactory: (ds: DataSource) => new CuratorshipRepository(ds), inject: [DataSource] },
        { provide: SessionRepository, useFactory: (ds: DataSource) => new SessionRepository(ds), inject: [DataSource] },
        { provide: IdempotencyRepository, useFactory: (ds: DataSource) => new IdempotencyRepository(ds), inject: [DataSource] },
        { provide: LoginFailureRepository, useFactory: (ds: DataSource) => new LoginFailureRepository(ds), inject: [DataSource] },
        {
          provide: CycleActionRequestRepository,
          useFactory: (ds: DataSource) => new CycleActionRequestRepository(ds),
          inject: [DataSource],
        },
        { provide: PracticeRepository, useFactory: (ds: DataSource) => new PracticeRepository(ds), inject: [DataSource] },
        {
          provide: IdentificationImportRepository,
          useFactory: (ds: DataSource) => new IdentificationImportRepository(ds),
          inject: [DataSource],
        },
        { provide: DatabaseProbeRepository, useFactory: (ds: DataSource) => new DatabaseProbeRepository(ds), inject: [DataSource] },
        { provide: ExtensionRequestRepository, useFactory: (ds: DataSource) => new ExtensionRequestRepository(ds), inject: [DataSource] },
        { provide: TaskRecordRepository, useFactory: (ds: DataSource) => taskRecordRepository(ds), inject: [DataSource] },
        {
          provide: CycleJournalRepository,
          useFactory: (ds: DataSource, cycles: CycleRepository) => new CycleJournalRepository(ds, cycles),
          inject: [DataSource, CycleRepository],
        },
        { provide: Mailer, useFactory: () => new Mailer(config.mail.smtpUrl, config.mail.from) },
        PlatformShutdown,
      ],
      exports: [
        APP_CONFIG,
        DataSource,
        DirectoryRepository,
        TaskRepository,
        NotificationOutboxRepository,
        AuditLogRepository,
        CycleRepository,
        CycleParticipantRepository,
        AgreementRepository,
        SubmissionRepository,
        RemarkRepository,
        DocumentRepository,
        TemplateRepository,
        WorkflowHistoryRepository,
        CuratorshipRepository,
        SessionRepository,
        IdempotencyRepository,
        LoginFailureRepository,
        CycleActionRequestRepository,
        PracticeRepository,
        IdentificationImportRepository,
        DatabaseProbeRepository,
        ExtensionRequestRepository,
        TaskRecordRepository,
        CycleJournalRepository,
        Mailer,
      ],
    };
  }
}

export const InjectConfig = () => Inject(APP_CONFIG);
