import { ApplicationFailure } from '@temporalio/common';
import { DateTime } from 'luxon';
import type { CycleActionRelayResult } from '../libs/contracts/cycle-action';
import { describeCycleAction } from '../libs/domain/cycle-actions';
import { renderCycleActionMail, type Mailer } from '../libs/mail';
import type { CycleActionMailEntity, CycleActionRequestEntity, CycleActionRequestRepository, DirectoryRepository } from '../libs/persistence';

export interface CycleActionActivityDeps {
  requests: CycleActionRequestRepository;
  directory: DirectoryRepository;
  mailer: Mailer;
  /** The web app's address: the e-mails link its «Подтверждения» page. */
  publicUrl: string;
  messageIdDomain: string;
}

/** The Message-ID of a request's e-mail: the same for every retry, so a relay that sent it before is recognised. */
export function cycleActionMessageId(key: string, domain: string): string {
  return `<${key}@${domain}>`;
}

/** The four-eyes requests' e-mails: relayed from their outbox rows, written with the request's changes. */
export function createCycleActionActivities(deps: CycleActionActivityDeps) {
  const send = async (request: CycleActionRequestEntity, mail: CycleActionMailEntity, timeZone: string): Promise<void> => {
    const rendered = renderCycleActionMail({
      event: mail.event,
      description: describeCycleAction(request),
      cycleId: request.cycleId,
      requestedByName: request.requestedByName,
      requestedByEmail: request.requestedBy,
      reason: request.reason,
      expiresLocal: DateTime.fromJSDate(request.expiresAt).setZone(timeZone).toFormat('dd.MM.yyyy HH:mm'),
      timeZone,
      decidedByName: request.decidedByName,
      decisionReason: request.decisionReason,
      confirmationsUrl: `${deps.publicUrl}/cycle-actions`,
    });
    try {
      const outcome = await deps.mailer.send({
        messageId: cycleActionMessageId(mail.messageId, deps.messageIdDomain),
        to: mail.recipients.map((r) => ({ name: r.fullName, address: r.email })),
        ...rendered,
      });
      await deps.requests.recordMailAttempt(mail.id, outcome.refused.length ? `refused: ${outcome.refused.join(', ')}` : null);
    } catch (err) {
      await deps.requests.recordMailAttempt(mail.id, err instanceof Error ? err.message : String(err));
      throw err;
    }
    await deps.requests.markMailSent(mail.id);
  };

  return {
    /**
     * Sends the request's e-mails still pending, oldest first, each once as far as the outbox can tell (a crash
     * between the send and its mark re-sends it under the same Message-ID). Says whether the request is still open.
     */
    async relayCycleActionMails(requestId: string): Promise<CycleActionRelayResult> {
      // Each mail is committed with the change it tells of. So the mails are read first and the request after
      // them, which then shows their change (who refused, and why); read the other way round, a refusal committed
      // between the two reads went out with the request as it stood before it («отказал(а) сотрудник министерства»,
      // «Причина отказа: не указана»). And a request read as closed is followed by one more read of the mails: the
      // change that closed it, and its mail, may have been committed after the first.
      let sent = 0;
      let pending = await deps.requests.pendingMails(requestId);
      let timeZone: string | undefined;
      for (;;) {
        const request = await deps.requests.find(requestId);
        if (!request) throw ApplicationFailure.nonRetryable(`cycle action request ${requestId} not found`, 'CycleActionRequestNotFound');
        timeZone ??= (await deps.directory.findOrganization(request.ministryId))?.timeZone ?? 'Europe/Moscow';
        for (const mail of pending) {
          await send(request, mail, timeZone);
          sent += 1;
        }
        const open = request.status === 'pending' || request.status === 'executing';
        if (open) return { sent, open };
        pending = await deps.requests.pendingMails(requestId);
        if (pending.length === 0) return { sent, open };
      }
    },

    /** Closes the request as expired if it is still pending past its expiry (with its audit entry and e-mail). */
    async expireCycleAction(requestId: string): Promise<void> {
      await deps.requests.expireDue({ id: requestId });
    },
  };
}

export type CycleActionActivities = ReturnType<typeof createCycleActionActivities>;
