/**
 * Four eyes on a cycle's weightiest commands, over HTTP against the real stack: launching, cancelling and extending a
 * stage for everyone answer 202 with a request that runs only when another person of the same ministry confirms it.
 * The requester cannot confirm their own; an auditor or a coordinator cannot confirm at all; the other person may
 * refuse with a reason, the requester may withdraw; a request expires; a second confirmation is a 409 and runs nothing
 * twice; a confirmed command that fails keeps the request confirmable with the error shown; each step is in the audit
 * log with who did it. Pause and resume stay single-person. Nobody has to watch the page: the ministry's other
 * administrators and specialists get an e-mail when a request is made, the requester when it is confirmed, refused or
 * expires (the real SMTP sink of the stack receives them; each is waited for, never slept on).
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DateTime } from 'luxon';
import { createApiApp } from '../../apps/api/api-app';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { confirmedBy } from '../support/four-eyes';
import { ApiClient, expectRussianError, type ApiResponse } from '../support/http';
import type { ReceivedMail } from '../support/smtp-sink';
import { pollUntil } from '../support/poll';
import { localDateTimeIn, testConfig, uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();
const taskQueue = `four-eyes-${suffix}`;
const YEAR = 2026;

let stack: ApiStack;
let region: TestRegion;
let admin: ApiClient;
let reviewer: ApiClient;
let coordinator: ApiClient;
let auditor: ApiClient;
let cycleId: string;
/** The same API with requests that expire after a second, on the same database and task queue. */
let shortLived: NestFastifyApplication | undefined;

const confirm = (client: ApiClient, id: string): Promise<ApiResponse> => client.post(`/api/cycle-actions/${id}/confirm`);
const auditOf = async (requestId: string): Promise<{ type: string; actor: string; cycle_id: string | null; data: Record<string, unknown> }[]> =>
  stack.harness.dataSource.query(
    `SELECT type, actor, cycle_id, data FROM audit_events WHERE subject_type = 'cycle_action' AND subject_id = $1 ORDER BY chain_seq`,
    [requestId],
  );

/** The request's e-mail of this event, once the sink has it (the worker relays it from the outbox). */
async function mailOf(requestId: string, event: 'requested' | 'confirmed' | 'refused' | 'expired'): Promise<ReceivedMail> {
  const key = `<cycle-action.${requestId}.${event}@`;
  await stack.sink.waitFor((messages) => messages.some((m) => m.messageId.startsWith(key)), 60_000);
  return stack.sink.messages.find((m) => m.messageId.startsWith(key))!;
}

/** The request's outbox rows, as the transaction of each change wrote them. */
const outboxOf = async (requestId: string): Promise<{ event: string; status: string; recipients: { email: string }[] }[]> =>
  stack.harness.dataSource.query(`SELECT event, status, recipients FROM cycle_action_mails WHERE request_id = $1 ORDER BY id`, [requestId]);

const CONFIRMATIONS_URL = 'http://uplift.test/cycle-actions';

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  region = await createTestRegion(stack.harness.dataSource, { code: `fe${suffix}`.slice(0, 18), timeZone: 'Europe/Moscow', municipalities: 2, schoolsPerMunicipality: 2 });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  reviewer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
  coordinator = await stack.anonymous.as(region.municipalities[0].coordinator.email, REGION_PASSWORD);
  auditor = await stack.anonymous.as(region.auditor.email, REGION_PASSWORD);
});

afterAll(async () => {
  // The compressed cycle is cancelled (four eyes) so its workflows stop on the shared server.
  if (cycleId) {
    const asked = await admin.post(`/api/cycles/${cycleId}/cancel`, { reason: 'Конец теста' });
    if (asked.status === 202) await confirm(reviewer, asked.body.id);
  }
  await shortLived?.close();
  await stack?.close();
});

describe('launching a cycle takes two people', () => {
  let requestId: string;

  it('answers the administrator with a pending request saying what the launch would do, and launches nothing yet', async () => {
    const asked = await admin.post('/api/cycles', { templateId: 'default', academicYear: YEAR, compression: { secondsPerDay: 30 } });
    expect(asked.status).toBe(202);
    requestId = asked.body.id;
    cycleId = asked.body.cycleId;
    expect(cycleId).toBe(`${region.code}-${YEAR}`);
    expect(asked.body).toMatchObject({
      kind: 'launch',
      status: 'pending',
      requestedBy: region.admin.email,
      canConfirm: false,
      canWithdraw: true,
      launch: { templateId: 'default', templateVersion: 1, academicYear: YEAR, programmeYear: '2026/2027 учебный год', compressionSecondsPerDay: 30 },
    });
    expect(asked.body.description).toMatch(/^Запуск цикла по шаблону «.+» \(версия 1\) на 2026\/2027 учебный год$/);
    expect(asked.body.launch.summary.tasks).toBeGreaterThan(10);
    expect(asked.body.launch.summary.organizations).toBeGreaterThanOrEqual(2 + region.municipalities.length);
    // 72 hours by default (CYCLE_ACTION_TTL).
    const lifetime = Date.parse(asked.body.expiresAt) - Date.parse(asked.body.requestedAt);
    expect(Math.abs(lifetime - 72 * 3600 * 1000)).toBeLessThan(5000);
    expectRussianError(await admin.get(`/api/cycles/${cycleId}`), 404);

    // The other person sees it among the ministry's pending requests, and may confirm it.
    const pending = await reviewer.get('/api/cycle-actions?status=pending');
    expect(pending.status).toBe(200);
    const listed = pending.body.items.find((r: { id: string }) => r.id === requestId);
    expect(listed).toMatchObject({ canConfirm: true, canRefuse: true, canWithdraw: false });
    // A second launch of the same year while one waits is refused, naming the waiting one.
    expectRussianError(await admin.post('/api/cycles', { templateId: 'default', academicYear: YEAR }), 409, ['уже ждёт подтверждения']);
  });

  it('tells the ministry\'s other administrators and specialists by e-mail what is asked, by whom, until when, and where to answer', async () => {
    const mail = await mailOf(requestId, 'requested');
    // The reviewer only: not the requester, nor the auditor or the minister of the same ministry (no right to confirm).
    expect(mail.to).toEqual([region.reviewer.email]);
    const request = (await reviewer.get(`/api/cycle-actions/${requestId}`)).body;
    expect(mail.subject).toBe(`Требуется подтверждение: ${request.description}`);
    const until = DateTime.fromISO(request.expiresAt).setZone('Europe/Moscow').toFormat('dd.MM.yyyy HH:mm');
    for (const text of [mail.text, mail.html]) {
      expect(text).toContain('Администраторова Анна Петровна');
      expect(text).toContain(region.admin.email);
      expect(text).toContain(`до ${until} (Europe/Moscow)`);
      expect(text).toContain(CONFIRMATIONS_URL);
    }
    // Written with the request in its transaction, and sent once.
    expect(await outboxOf(requestId)).toEqual([{ event: 'requested', status: 'sent', recipients: [expect.objectContaining({ email: region.reviewer.email })] }]);
  });

  it('refuses the requester\'s own confirmation, and anyone outside the ministry\'s administrators and specialists', async () => {
    expectRussianError(await confirm(admin, requestId), 403, ['другой сотрудник министерства']);
    expectRussianError(await confirm(coordinator, requestId), 403);
    expectRussianError(await confirm(auditor, requestId), 403);
    expectRussianError(await coordinator.get(`/api/cycle-actions/${requestId}`), 403);
    // The auditor reads it, changes nothing.
    expect((await auditor.get(`/api/cycle-actions/${requestId}`)).body).toMatchObject({ status: 'pending', canConfirm: false });
    expectRussianError(await reviewer.post(`/api/cycle-actions/${requestId}/withdraw`, {}), 403, ['только тот, кто его создал']);
    expectRussianError(await confirm(reviewer, '00000000-0000-4000-8000-000000000000'), 404);
    expectRussianError(await confirm(reviewer, 'not-a-uuid'), 404);
    expectRussianError(await admin.get(`/api/cycles/${cycleId}`), 404);
  });

  it('launches when the other person confirms, once: a second confirmation is a 409', async () => {
    const confirmed = await confirm(reviewer, requestId);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', decidedBy: region.reviewer.email, lastError: null });
    expect(confirmed.body.cycle).toMatchObject({ id: cycleId, status: 'running', launchedBy: region.admin.email, compressed: true });
    const again = await confirm(reviewer, requestId);
    expectRussianError(again, 409, ['уже подтверждён']);
    const cycle = await admin.get(`/api/cycles/${cycleId}`);
    expect(cycle.status).toBe(200);
    expect(cycle.body.progress).toMatchObject({ status: 'running' });
    // One cycle_launched, by the requester, whatever the confirmations.
    const launched: { actor: string }[] = await stack.harness.dataSource.query(
      `SELECT actor FROM audit_events WHERE subject_type = 'cycle' AND subject_id = $1 AND type = 'cycle_launched'`,
      [cycleId],
    );
    expect(launched.map((e) => e.actor)).toEqual([region.admin.email]);
  });

  it('tells the requester by e-mail that the launch was confirmed, and by whom', async () => {
    const mail = await mailOf(requestId, 'confirmed');
    expect(mail.to).toEqual([region.admin.email]);
    expect(mail.subject).toMatch(/^Запрос подтверждён: Запуск цикла по шаблону/);
    expect(mail.text).toContain('Экспертов Эдуард Иванович');
    expect(mail.text).toContain(CONFIRMATIONS_URL);
    expect((await outboxOf(requestId)).map((m) => [m.event, m.status])).toEqual([
      ['requested', 'sent'],
      ['confirmed', 'sent'],
    ]);
  });

  it('keeps the request and the confirmation, and who did each, in the audit log of the cycle', async () => {
    const entries = await auditOf(requestId);
    expect(entries.map((e) => [e.type, e.actor])).toEqual([
      ['cycle_action_requested', region.admin.email],
      ['cycle_action_confirmed', region.reviewer.email],
    ]);
    expect(entries.every((e) => e.cycle_id === cycleId)).toBe(true);
    expect(entries[1].data).toMatchObject({ kind: 'launch', requestedBy: region.admin.email });
    // The refusals of the requester, the coordinator and the auditor are audited too.
    const refusals: { actor: string }[] = await stack.harness.dataSource.query(
      `SELECT actor FROM audit_events WHERE type = 'access_denied' AND data->>'requestId' = $1`,
      [requestId],
    );
    expect(refusals.map((r) => r.actor)).toEqual(expect.arrayContaining([region.admin.email]));
  });
});

describe('the controls of a running cycle', () => {
  it('keeps pause and resume single-person', async () => {
    const paused = await admin.post(`/api/cycles/${cycleId}/pause`, { reason: 'Приказ о переносе сроков' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    const resumed = await admin.post(`/api/cycles/${cycleId}/resume`, { reason: 'Сроки согласованы' });
    expect(resumed.body.status).toBe('running');
  });

  it('lets the other person refuse a stage extension with a reason: nothing moves', async () => {
    expectRussianError(await admin.post(`/api/cycles/${cycleId}/stages/no-such-stage/extend`, { reason: 'письмо', dueAt: '2027-05-31' }), 422);
    expectRussianError(await admin.post(`/api/cycles/${cycleId}/stages/plans/extend`, { reason: 'письмо', dueAt: '2020-05-29' }), 422, ['уже прошёл']);
    const asked = await admin.post(`/api/cycles/${cycleId}/stages/plans/extend`, { reason: 'Письмо министерства № 1', dueAt: '2027-05-31' });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ kind: 'extend_stage', stageId: 'plans', localDateTime: '2027-05-31T18:00', status: 'pending' });
    expect(asked.body.description).toMatch(/^Продление этапа «.+» для всех до 31\.05\.2027 18:00$/);
    expectRussianError(await reviewer.post(`/api/cycle-actions/${asked.body.id}/refuse`, {}), 400);
    const refused = await reviewer.post(`/api/cycle-actions/${asked.body.id}/refuse`, { reason: 'Основания для продления нет' });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: 'refused', decidedBy: region.reviewer.email, decisionReason: 'Основания для продления нет' });
    expectRussianError(await confirm(reviewer, asked.body.id), 409, ['отказано']);
    const stage = (await admin.get(`/api/cycles/${cycleId}`)).body.progress.stages.find((s: { id: string }) => s.id === 'plans');
    expect(stage.extendedTo).toBeUndefined();
    expect((await auditOf(asked.body.id)).map((e) => [e.type, e.actor])).toEqual([
      ['cycle_action_requested', region.admin.email],
      ['cycle_action_refused', region.reviewer.email],
    ]);
    const mail = await mailOf(asked.body.id, 'refused');
    expect(mail.to).toEqual([region.admin.email]);
    expect(mail.subject).toBe(`В запросе отказано: ${asked.body.description}`);
    expect(mail.text).toContain('Экспертов Эдуард Иванович');
    expect(mail.text).toContain('Причина отказа: Основания для продления нет.');
  });

  it('lets the requester withdraw a cancellation: the cycle runs on', async () => {
    const asked = await admin.post(`/api/cycles/${cycleId}/cancel`, { reason: 'Отмена по ошибке' });
    expect(asked.status).toBe(202);
    const withdrawn = await admin.post(`/api/cycle-actions/${asked.body.id}/withdraw`, { reason: 'Передумали' });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', decidedBy: region.admin.email });
    expectRussianError(await confirm(reviewer, asked.body.id), 409, ['отозван']);
    expect((await admin.get(`/api/cycles/${cycleId}`)).body.status).toBe('running');
    expect((await auditOf(asked.body.id)).map((e) => [e.type, e.actor])).toEqual([
      ['cycle_action_requested', region.admin.email],
      ['cycle_action_withdrawn', region.admin.email],
    ]);
    // The confirmers were told of it; a withdrawal is the requester's own act and tells no one.
    await mailOf(asked.body.id, 'requested');
    expect((await outboxOf(asked.body.id)).map((m) => m.event)).toEqual(['requested']);
  });

  it('lets a request expire: it can no longer be confirmed', async () => {
    const app = await createApiApp({ ...testConfig({ taskQueue, smtpUrl: stack.sink.url }), cycleActionTtlSeconds: 1 });
    shortLived = app;
    await app.listen(0, '127.0.0.1');
    const hurried = await new ApiClient(await app.getUrl()).as(region.admin.email, REGION_PASSWORD);
    const asked = await hurried.post(`/api/cycles/${cycleId}/cancel`, { reason: 'Срочная отмена' });
    expect(asked.status).toBe(202);
    await pollUntil(
      'the request shows as expired',
      async () => ((await reviewer.get(`/api/cycle-actions/${asked.body.id}`)).body.status === 'expired' ? true : undefined),
      10_000,
    );
    expectRussianError(await confirm(reviewer, asked.body.id), 409, ['истёк']);
    expect((await admin.get(`/api/cycles/${cycleId}`)).body.status).toBe('running');
    expect((await auditOf(asked.body.id)).map((e) => [e.type, e.actor])).toEqual([
      ['cycle_action_requested', region.admin.email],
      ['cycle_action_expired', 'system'],
    ]);
    const mail = await mailOf(asked.body.id, 'expired');
    expect(mail.to).toEqual([region.admin.email]);
    expect(mail.subject).toMatch(/^Истёк срок подтверждения: Отмена цикла/);
    expect(mail.text).toContain('создайте запрос заново');
    // An expired request no longer blocks a new one for the same cycle.
    const again = await admin.post(`/api/cycles/${cycleId}/cancel`, { reason: 'Срочная отмена' });
    expect(again.status).toBe(202);
    expect((await admin.post(`/api/cycle-actions/${again.body.id}/withdraw`, {})).body.status).toBe('withdrawn');
  });

  it('cancels on confirmation; a confirmed command that then fails keeps its request confirmable with the error', async () => {
    const extension = await admin.post(`/api/cycles/${cycleId}/stages/plans/extend`, { reason: 'Письмо министерства № 2', dueAt: '2027-05-31' });
    expect(extension.status).toBe(202);
    const cancellation = await admin.post(`/api/cycles/${cycleId}/cancel`, { reason: 'Отмена по приказу министерства' });
    expect(cancellation.status).toBe(202);
    expectRussianError(await admin.post(`/api/cycles/${cycleId}/cancel`, { reason: 'ещё раз' }), 409, ['уже ждёт подтверждения']);

    const cancelled = await confirm(reviewer, cancellation.body.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.cycle.status).toBe('cancelled');
    expectRussianError(await confirm(reviewer, cancellation.body.id), 409);
    const events: { type: string; actor: string }[] = await stack.harness.dataSource.query(
      `SELECT type, actor FROM audit_events WHERE subject_type = 'cycle' AND subject_id = $1 AND type = 'cycle_cancelled'`,
      [cycleId],
    );
    expect(events).toEqual([{ type: 'cycle_cancelled', actor: region.admin.email }]);

    // The extension asked before the cancellation can no longer run: the cycle's refusal is answered and kept.
    const failed = await confirm(reviewer, extension.body.id);
    expectRussianError(failed, 422, ['отменён']);
    const after = await reviewer.get(`/api/cycle-actions/${extension.body.id}`);
    expect(after.body).toMatchObject({ status: 'pending', canConfirm: true, attempts: 1 });
    expect(after.body.lastError).toMatch(/отменён/);
    expect((await auditOf(extension.body.id)).map((e) => [e.type, e.actor])).toEqual([
      ['cycle_action_requested', region.admin.email],
      ['cycle_action_failed', region.reviewer.email],
    ]);
    // A failed run confirms nothing: the requester is told nothing yet.
    expect((await outboxOf(extension.body.id)).map((m) => m.event)).toEqual(['requested']);
    await mailOf(cancellation.body.id, 'confirmed');
    expect((await admin.post(`/api/cycle-actions/${extension.body.id}/withdraw`, {})).body.status).toBe('withdrawn');
    cycleId = '';
  });
});

describe('a date the roadmap left «по специальному графику»', () => {
  it('is set once by one person (it fills in the roadmap, overriding no one); a second setting is refused, pointing to the extension', async () => {
    // The Mytishchi roadmap leaves one step's date to the ministry; a slow compressed calendar (an hour a day).
    const launched = await confirmedBy(reviewer, admin.post('/api/cycles', { templateId: 'seed-003-mytishchi', academicYear: 2018, compression: { secondsPerDay: 3600 } }));
    expect(launched.status).toBe(200);
    const id: string = launched.body.id;
    try {
      const entry = await pollUntil(
        'the step whose date is set later',
        async () => (await admin.get(`/api/cycles/${id}`)).body.progress?.datesToSet?.[0] as { stepKey: string } | undefined,
        20_000,
      );
      const path = `/api/cycles/${id}/steps/${encodeURIComponent(entry.stepKey)}/deadline`;
      const first = localDateTimeIn('Europe/Moscow', 2 * 86_400).slice(0, 16);
      const set = await admin.post(path, { dueAt: first, reason: 'Распоряжение о графике' });
      expect(set.status).toBe(200);
      expect(set.body.progress.datesToSet[0].localDateTime.slice(0, 16)).toBe(first);

      const later = localDateTimeIn('Europe/Moscow', 5 * 86_400).slice(0, 16);
      expectRussianError(await admin.post(path, { dueAt: later, reason: 'Новое распоряжение о графике' }), 422, ['уже установлен', 'продлением этапа']);
      expect((await reviewer.get(`/api/cycle-actions?status=pending&cycleId=${encodeURIComponent(id)}`)).body.items).toEqual([]);
    } finally {
      await confirmedBy(reviewer, admin.post(`/api/cycles/${id}/cancel`, { reason: 'Конец теста' }));
    }
  });
});
