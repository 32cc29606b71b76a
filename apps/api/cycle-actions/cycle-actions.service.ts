import { ConflictException, HttpException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import {
  CycleActionRequestRepository,
  type CycleActionPerson,
  type CycleActionRequestEntity,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { CYCLE_ACTION_EVENTS, CyclesService } from '../cycles/cycles.service';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { signalCycleActionDecided } from './cycle-action-mail';
import {
  CONFIRMING_ROLES,
  describeCycleAction,
  effectiveStatus,
  mapCycleAction,
  type CycleActionListQueryDto,
  type CycleActionListView,
  type CycleActionView,
} from './cycle-action.dto';

/**
 * A request left `executing` this long is taken to have lost its process mid-run and may be confirmed again (the
 * command is then run again; a launch or cancellation already in place counts as done).
 */
const STALE_EXECUTION_MS = 5 * 60 * 1000;

const dateTimeRu = (at: Date): string =>
  at.toLocaleString('ru-RU', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }) + ' UTC';

/**
 * Four eyes on a cycle's launch, cancellation and deadline overrides for everyone: the ministry administrator's
 * request (CyclesService) waits here for another ministry administrator or specialist of the same ministry, who
 * confirms (the stored command runs once) or refuses with a reason; the requester may withdraw it; it expires.
 */
@Injectable()
export class CycleActionsService {
  private readonly logger = new Logger(CycleActionsService.name);

  constructor(
    private readonly requests: CycleActionRequestRepository,
    private readonly cycles: CyclesService,
    private readonly access: AccessPolicy,
    private readonly temporal: TemporalGateway,
  ) {}

  /** The region's requests (every region for an auditor), newest first. */
  async list(user: AuthUser, query: CycleActionListQueryDto): Promise<CycleActionListView> {
    const regionCode = user.role === 'auditor' ? 'all' : user.regionCode;
    await this.requests.expireDue(regionCode === 'all' ? {} : { regionCode });
    const rows = await this.requests.list({ regionCode, statuses: query.status ? [query.status] : undefined, cycleId: query.cycleId });
    const now = new Date();
    return { items: rows.map((r) => mapCycleAction(r, user, now)) };
  }

  async get(user: AuthUser, id: string): Promise<CycleActionView> {
    return mapCycleAction(await this.require(user, id), user);
  }

  /** Runs the request's command; the second confirmation of a request gets 409 saying who confirmed it. */
  async confirm(user: AuthUser, id: string): Promise<CycleActionView> {
    const request = await this.require(user, id);
    this.assertMayDecide(user, request, 'подтверждение действия с циклом');
    this.assertPending(request);
    const claimed = await this.requests.claim(id, new Date(Date.now() - STALE_EXECUTION_MS));
    if (!claimed) {
      this.assertPending((await this.requests.find(id)) ?? request);
      throw new ConflictException('Запрос сейчас нельзя подтвердить; обновите страницу');
    }
    let cycle;
    try {
      cycle = await this.cycles.execute(claimed, user);
    } catch (err) {
      const message = errorMessage(err);
      // People by their ids: the log holds no names or e-mail addresses.
      this.logger.warn(`${claimed.kind} ${claimed.id} of ${claimed.cycleId} confirmed by person ${user.personId} failed: ${message}`);
      await this.requests.markFailed(id, message, {
        type: CYCLE_ACTION_EVENTS.failed,
        actor: user.email,
        data: { kind: claimed.kind, description: describeCycleAction(claimed), requestedBy: claimed.requestedBy, error: message, attempt: claimed.attempts },
        cycleId: claimed.cycleId,
        organizationIds: [claimed.ministryId],
      });
      throw err;
    }
    const confirmed = await this.requests.markConfirmed(id, person(user), {
      type: CYCLE_ACTION_EVENTS.confirmed,
      actor: user.email,
      data: {
        kind: claimed.kind,
        description: describeCycleAction(claimed),
        requestedBy: claimed.requestedBy,
        payload: claimed.payload,
        attempt: claimed.attempts,
      },
      cycleId: claimed.cycleId,
      organizationIds: [claimed.ministryId],
    });
    this.logger.log(`${claimed.kind} ${claimed.id} of ${claimed.cycleId} requested by person ${claimed.requestedByPersonId} confirmed by person ${user.personId}`);
    await signalCycleActionDecided(this.temporal, id, this.logger);
    return mapCycleAction(confirmed, user, new Date(), cycle);
  }

  async refuse(user: AuthUser, id: string, reason: string): Promise<CycleActionView> {
    const request = await this.require(user, id);
    this.assertMayDecide(user, request, 'отказ в действии с циклом');
    this.assertPending(request);
    const closed = await this.requests.close(id, 'refused', person(user), reason, {
      type: CYCLE_ACTION_EVENTS.refused,
      actor: user.email,
      data: { kind: request.kind, description: describeCycleAction(request), requestedBy: request.requestedBy, reason },
      cycleId: request.cycleId,
      organizationIds: [request.ministryId],
    });
    if (!closed) this.assertPending((await this.requests.find(id)) ?? request);
    await signalCycleActionDecided(this.temporal, id, this.logger);
    return mapCycleAction(closed ?? request, user);
  }

  async withdraw(user: AuthUser, id: string, reason: string | undefined): Promise<CycleActionView> {
    const request = await this.require(user, id);
    if (user.personId !== request.requestedByPersonId) {
      this.access.deny(user, `Отозвать запрос может только тот, кто его создал (${request.requestedByName})`, {
        action: 'отзыв запроса действия с циклом',
        requestId: id,
        cycleId: request.cycleId,
      });
    }
    this.assertPending(request);
    const closed = await this.requests.close(id, 'withdrawn', person(user), reason?.trim() || null, {
      type: CYCLE_ACTION_EVENTS.withdrawn,
      actor: user.email,
      data: { kind: request.kind, description: describeCycleAction(request), reason: reason ?? null },
      cycleId: request.cycleId,
      organizationIds: [request.ministryId],
    });
    if (!closed) this.assertPending((await this.requests.find(id)) ?? request);
    // Nothing to tell: the workflow stops waiting for a decision.
    await signalCycleActionDecided(this.temporal, id, this.logger);
    return mapCycleAction(closed ?? request, user);
  }

  private async require(user: AuthUser, id: string): Promise<CycleActionRequestEntity> {
    await this.requests.expireDue({ id });
    const row = await this.requests.find(id);
    if (!row) throw new NotFoundException(`Запрос «${id}» не найден`);
    if (user.role !== 'auditor' && row.regionCode !== user.regionCode) {
      this.access.deny(user, 'Запрос другого региона недоступен', { action: 'read_cycle_action', requestId: id });
    }
    return row;
  }

  /** Another ministry administrator or specialist of the requesting ministry: four eyes, never the requester's own. */
  private assertMayDecide(user: AuthUser, request: CycleActionRequestEntity, what: string): void {
    const context = { action: what, requestId: request.id, cycleId: request.cycleId };
    if (user.personId === request.requestedByPersonId) {
      this.access.deny(
        user,
        'Правило двух ключей: запрос должен подтвердить или отклонить другой сотрудник министерства, не тот, кто его создал',
        context,
      );
    }
    if (!CONFIRMING_ROLES.includes(user.role) || user.organizationId !== request.ministryId) {
      this.access.deny(user, 'Подтверждать и отклонять действия с циклом могут только администраторы и специалисты министерства, запросившего их', context);
    }
  }

  /** 409 saying why a request that is not pending can no longer be decided. */
  private assertPending(request: CycleActionRequestEntity): void {
    const status = effectiveStatus(request, new Date());
    const who = request.decidedByName ? `${request.decidedByName}, ${request.decidedAt ? dateTimeRu(request.decidedAt) : ''}`.replace(/, $/, '') : '';
    switch (status) {
      case 'pending':
        return;
      case 'executing':
        throw new ConflictException('Запрос уже подтверждён и выполняется; дождитесь результата');
      case 'confirmed':
        throw new ConflictException(`Запрос уже подтверждён (${who}); действие выполнено`);
      case 'refused':
        throw new ConflictException(`В запросе уже отказано (${who})`);
      case 'withdrawn':
        throw new ConflictException(`Запрос отозван (${who})`);
      case 'expired':
        throw new ConflictException(`Срок подтверждения запроса истёк ${dateTimeRu(request.expiresAt)}; создайте запрос заново`);
    }
  }
}

function person(user: AuthUser): CycleActionPerson {
  return { email: user.email, personId: user.personId, fullName: user.fullName };
}

/** The message an official saw for the failed run: the API's own Russian one, or a generic one. */
function errorMessage(err: unknown): string {
  if (err instanceof HttpException) {
    const response = err.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
    return err.message;
  }
  return 'Внутренняя ошибка при выполнении действия; повторите подтверждение позже';
}
