import { TypeORMError } from 'typeorm';
import { Metadata, status, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import {
  ConflictException,
  Logger,
  ServiceUnavailableException,
  UnprocessableEntityException,
  type ArgumentsHost,
} from '@nestjs/common';
import {
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { TaskRejection } from '../../libs/contracts/deadline-task';
import type { AppConfig } from '../../libs/config';
import type {
  CycleActionRequestRepository,
  CycleParticipantRepository,
  CycleRepository,
  DirectoryRepository,
  TaskRepository,
} from '../../libs/persistence';
import type { AccessPolicy } from '../../apps/api/auth/access-policy.service';
import type { AuthUser } from '../../apps/api/auth/auth-user';
import { HttpExceptionFilter } from '../../apps/api/common/http-exception.filter';
import { CyclesService } from '../../apps/api/cycles/cycles.service';
import type { TemplatesService } from '../../apps/api/cycles/templates.service';
import { TasksService } from '../../apps/api/tasks/tasks.service';
import { TaskUpdates } from '../../apps/api/temporal/task-updates';
import {
  GRPC_CANCELLED,
  GRPC_DEADLINE_EXCEEDED,
  isTemporalUnreachable,
  isUpdateUnanswered,
  TEMPORAL_UNREACHABLE_MESSAGE,
  temporalOutageOr,
} from '../../apps/api/temporal/temporal-errors';
import type { TemporalGateway } from '../../apps/api/temporal/temporal-gateway';

/** What @grpc/grpc-js rejects a call with: an Error carrying code, details and metadata. */
function grpcError(code: status, details: string): GrpcServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}

const deadlineExceeded = () => grpcError(status.DEADLINE_EXCEEDED, 'Deadline exceeded');
const callCancelled = () => grpcError(status.CANCELLED, 'Call cancelled');
const unavailable = () => grpcError(status.UNAVAILABLE, 'No connection established');
const refusal = () =>
  ApplicationFailure.create({ message: 'Задача уже выполнена', type: TaskRejection.alreadyCompleted });

const NO_WORKER = 'Обработчик сейчас не отвечает; повторите позже';

// Every way the 1.24 client reports an Update whose RPC deadline passed or was cancelled (rethrowUpdateGrpcError).
const UNANSWERED: [string, () => Error][] = [
  ['a bare gRPC DEADLINE_EXCEEDED', deadlineExceeded],
  [
    'WorkflowUpdateRPCTimeoutOrCancelledError caused by DEADLINE_EXCEEDED',
    () => new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', { cause: deadlineExceeded() }),
  ],
  [
    'WorkflowUpdateRPCTimeoutOrCancelledError caused by CANCELLED ("Call cancelled", as in the log)',
    () => new WorkflowUpdateRPCTimeoutOrCancelledError('Call cancelled', { cause: callCancelled() }),
  ],
  [
    'WorkflowUpdateRPCTimeoutOrCancelledError caused by a CancelledFailure',
    () =>
      new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled', {
        cause: new CancelledFailure('Workflow update call timeout or cancelled'),
      }),
  ],
  ['a bare gRPC CANCELLED', callCancelled],
  ['ServiceError wrapping DEADLINE_EXCEEDED', () => new ServiceError('Update failed', { cause: deadlineExceeded() })],
];

const UNREACHABLE: [string, () => Error][] = [
  ['a bare gRPC UNAVAILABLE', unavailable],
  ['ServiceError wrapping UNAVAILABLE', () => new ServiceError('Workflow Update failed', { cause: unavailable() })],
  ['a failed connect', () => new Error('Failed to connect before the deadline')],
  ['a refused connection', () => new Error('connect ECONNREFUSED 127.0.0.1:7233')],
];

const ANSWERED: [string, () => Error][] = [
  ['WorkflowUpdateFailedError', () => new WorkflowUpdateFailedError('Workflow Update failed', refusal())],
  [
    'WorkflowUpdateFailedError whose failure is a cancellation',
    () => new WorkflowUpdateFailedError('Workflow Update failed', new CancelledFailure('cancelled')),
  ],
  ['WorkflowNotFoundError', () => new WorkflowNotFoundError('Workflow not found', 'task:t1', undefined)],
  ['a plain Error', () => new Error('something else broke')],
  // Found by the hostile-input run: a null template version reached TypeORM, and its message mentions "connection".
  [
    "TypeORM's refusal of a null in a where condition",
    () => new TypeORMError("Null value encountered in property 'CycleTemplateEntity.version' of a where condition. Set 'invalidWhereValuesBehavior.null' to 'ignore' or 'sql-null' in connection options"),
  ],
];

describe('gRPC codes named in temporal-errors', () => {
  it('are those of @grpc/grpc-js', () => {
    expect(GRPC_CANCELLED).toBe(status.CANCELLED);
    expect(GRPC_DEADLINE_EXCEEDED).toBe(status.DEADLINE_EXCEEDED);
  });
});

describe('isUpdateUnanswered', () => {
  it.each(UNANSWERED)('recognises %s', (_name, make) => {
    expect(isUpdateUnanswered(make())).toBe(true);
  });

  it.each([...UNREACHABLE, ...ANSWERED])('does not take %s for an unanswered Update', (_name, make) => {
    expect(isUpdateUnanswered(make())).toBe(false);
  });

  it('does not take what is not an error, or a cause cycle, for one', () => {
    expect(isUpdateUnanswered(undefined)).toBe(false);
    expect(isUpdateUnanswered('DEADLINE_EXCEEDED')).toBe(false);
    const looped = new Error('a') as Error & { cause?: unknown };
    looped.cause = looped;
    expect(isUpdateUnanswered(looped)).toBe(false);
  });
});

describe('isTemporalUnreachable', () => {
  it.each(UNREACHABLE)('recognises %s', (_name, make) => {
    expect(isTemporalUnreachable(make())).toBe(true);
  });

  it.each(ANSWERED)('does not take %s for Temporal being away', (_name, make) => {
    expect(isTemporalUnreachable(make())).toBe(false);
  });
});

describe('temporalOutageOr', () => {
  it.each(UNANSWERED)('answers %s with a 503 in the caller\'s words', (_name, make) => {
    const err = make();
    const mapped = temporalOutageOr(err, NO_WORKER);
    expect(mapped).toBeInstanceOf(ServiceUnavailableException);
    expect((mapped as ServiceUnavailableException).getStatus()).toBe(503);
    expect((mapped as ServiceUnavailableException).message).toBe(NO_WORKER);
    expect((mapped as ServiceUnavailableException).cause).toBe(err);
  });

  it.each(UNREACHABLE)('answers %s with a 503 saying the process service is unavailable', (_name, make) => {
    const mapped = temporalOutageOr(make(), NO_WORKER);
    expect(mapped).toBeInstanceOf(ServiceUnavailableException);
    expect((mapped as ServiceUnavailableException).message).toBe(TEMPORAL_UNREACHABLE_MESSAGE);
    expect((temporalOutageOr(make(), NO_WORKER, 'своё') as ServiceUnavailableException).message).toBe('своё');
  });

  it.each(ANSWERED)('passes %s on unchanged', (_name, make) => {
    const err = make();
    expect(temporalOutageOr(err, NO_WORKER)).toBe(err);
  });
});

describe('the HTTP answer for the error in the log', () => {
  it('is a Russian 503, not «Внутренняя ошибка сервера»', () => {
    const sent: { status?: number; body?: unknown } = {};
    const reply = {
      status(code: number) {
        sent.status = code;
        return reply;
      },
      send(body: unknown) {
        sent.body = body;
        return reply;
      },
    };
    const host = { switchToHttp: () => ({ getResponse: () => reply }) } as unknown as ArgumentsHost;
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {});
    try {
      const err = new WorkflowUpdateRPCTimeoutOrCancelledError('Call cancelled', { cause: callCancelled() });
      new HttpExceptionFilter().catch(temporalOutageOr(err, NO_WORKER), host);
      const body = { statusCode: 503, error: 'Service Unavailable', message: NO_WORKER };
      expect(sent).toEqual({ status: 503, body });
      // The operator still learns which Temporal error it was.
      expect(warn).toHaveBeenCalledWith(`503: ${NO_WORKER} (WorkflowUpdateRPCTimeoutOrCancelledError: Call cancelled)`);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('TaskUpdates.run', () => {
  const gateway = { withinUpdateDeadline: <T>(fn: () => Promise<T>) => fn() } as unknown as TemporalGateway;
  const repository = { find: () => Promise.resolve(null) } as unknown as TaskRepository;
  const updates = new TaskUpdates(gateway, repository);

  it.each(UNANSWERED)('answers %s with the task 503', async (_name, make) => {
    const run = updates.run('t1', () => Promise.reject(make()));
    await expect(run).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(run).rejects.toThrow(/Обработчик задач сейчас не отвечает/);
  });

  it('still answers the workflow\'s refusal with 409, and a vanished workflow too', async () => {
    const refused = new WorkflowUpdateFailedError('Workflow Update failed', refusal());
    await expect(updates.run('t1', () => Promise.reject(refused))).rejects.toThrow(ConflictException);
    const vanished = new WorkflowNotFoundError('gone', 'task:t1', undefined);
    await expect(updates.run('t1', () => Promise.reject(vanished))).rejects.toThrow('Задача уже закрыта');
  });

  it('passes an unrelated error on', async () => {
    const err = new Error('something else broke');
    await expect(updates.run('t1', () => Promise.reject(err))).rejects.toBe(err);
  });
});

/** A gateway whose workflows start, and whose Updates fail with `updateError`; the deadline itself is the client's. */
function stalledGateway(updateError: () => Error): TemporalGateway {
  const handle = { executeUpdate: () => Promise.reject(updateError()) };
  return {
    taskQueue: 'no-worker',
    withinUpdateDeadline: <T>(fn: () => Promise<T>) => fn(),
    client: { workflow: { start: () => Promise.resolve(handle), getHandle: () => handle } },
  } as unknown as TemporalGateway;
}

const USER = {
  email: 'admin@minobr.test',
  role: 'ministry_admin',
  regionCode: '99',
  organizationId: 'demo-ministry',
} as AuthUser;

describe('creating a task when no worker answers (the e2e scenario, without the stack)', () => {
  const organizations: Record<string, object> = {
    'demo-mun': { id: 'demo-mun', regionCode: '99', timeZone: 'Europe/Moscow' },
    'demo-ministry': { id: 'demo-ministry', regionCode: '99', timeZone: 'Europe/Moscow' },
  };
  const directory = {
    findOrganization: (id: string) => Promise.resolve(organizations[id] ?? null),
  } as unknown as DirectoryRepository;
  const policy = { assertCanRead: () => Promise.resolve() } as unknown as AccessPolicy;
  const dto = {
    id: 't-no-worker',
    title: 'Задача без обработчика',
    assigneeOrganizationId: 'demo-mun',
    supervisorOrganizationId: 'demo-ministry',
    dueAt: '2027-06-25T18:00',
  };

  it.each(UNANSWERED)('answers %s with a 503 saying the task is accepted', async (_name, make) => {
    const temporal = stalledGateway(make);
    const updates = new TaskUpdates(temporal, {} as TaskRepository);
    const created = new TasksService({} as TaskRepository, directory, temporal, updates, policy).create(USER, dto);
    await expect(created).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(created).rejects.toThrow(/«t-no-worker» принята, но обработчик задач сейчас не отвечает/);
  });
});

describe('controlling a cycle when no worker answers', () => {
  const row = { id: 'c1', regionCode: '99', ministryId: 'demo-ministry', workflowId: 'cycle:c1' };
  const cycles = { findCycle: () => Promise.resolve(row) } as unknown as CycleRepository;
  const access = { assertRole: () => undefined, canActFor: () => true } as unknown as AccessPolicy;
  const service = (temporal: TemporalGateway) =>
    new CyclesService({} as AppConfig, cycles, {} as CycleParticipantRepository, {} as DirectoryRepository, {} as TemplatesService, access, temporal, {} as CycleActionRequestRepository);

  it.each(UNANSWERED)('answers %s with a 503', async (_name, make) => {
    const paused = service(stalledGateway(make)).pause(USER, 'c1', 'проверка');
    await expect(paused).rejects.toBeInstanceOf(ServiceUnavailableException);
    await expect(paused).rejects.toThrow('Обработчик процессов сейчас не отвечает; повторите позже');
  });

  it('still answers the workflow\'s refusal with 422', async () => {
    const failure = ApplicationFailure.create({ message: 'Цикл уже приостановлен' });
    const refused = () => new WorkflowUpdateFailedError('Workflow Update failed', failure);
    const paused = service(stalledGateway(refused)).pause(USER, 'c1', 'проверка');
    await expect(paused).rejects.toThrow(UnprocessableEntityException);
    await expect(paused).rejects.toThrow('Цикл уже приостановлен');
  });
});
