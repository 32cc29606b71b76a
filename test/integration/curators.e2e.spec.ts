/**
 * Curators of participant schools over HTTP, against the real stack (Temporal, PostgreSQL, SMTP): the ministry names
 * a curator (refused, in Russian, for a person who may not curate the school), the curator reads the school's task of
 * the cycle but is refused completing it, and the task's escalations reach the curator as a copy while its reminder
 * does not. The test owns its region, so no other file's rows get in the way.
 */
import 'reflect-metadata';
import type { WorkflowHandle } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createTaskActivities, type NotificationDelivery } from '../../activities';
import { DateTime } from 'luxon';
import {
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
  type ScheduledNotification,
} from '../../libs/contracts/deadline-task';
import type { Mailer, OutgoingMail } from '../../libs/mail';
import { DirectoryRepository, NotificationOutboxRepository, TaskRepository, taskRecordRepository } from '../../libs/persistence';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { insertCycle, insertOtherRegion, insertTaskRow, type InsertedCycle } from '../support/cycle-rows';
import { ApiClient, expectRussianError, type ApiResponse } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import type { ReceivedMail } from '../support/smtp-sink';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';
import { pollUntil } from '../support/poll';

const ZONE = 'Asia/Yekaterinburg';
const suffix = uniqueSuffix();
const taskQueue = `curators-e2e-${suffix}`;
const BASIS = 'Приказ министерства от 01.09.2026 № 512, приложение 3 (закрепление кураторов)';

let stack: ApiStack;
let region: TestRegion;
let cycle: InsertedCycle;
let anonymous: ApiClient;
let admin: ApiClient;
let reviewer: ApiClient;
/** The director of a school of the region that does not take part: the partner school's curator. */
let partnerCurator: ApiClient;
let partnerCuratorEmail: string;
let partnerCuratorId: string;
let instituteCuratorId: string;
/** The curated participant school and its municipality; a second participant no one curates. */
let curated: TestRegion['schools'][number];
let uncurated: TestRegion['schools'][number];
let curatorshipId: string;
let instituteCuratorshipId: string;

const curatorsPath = () => `/api/cycles/${cycle.id}/curators`;
const name = (client: ApiClient, body: unknown): Promise<ApiResponse> => client.post(curatorsPath(), body);

async function personId(organizationId: string, email: string): Promise<string> {
  const response = await admin.get(`/api/organizations/${organizationId}`);
  const person = (response.body.people as { id: string; email: string }[]).find((p) => p.email === email);
  if (!person) throw new Error(`${email} not found in ${organizationId}`);
  return person.id;
}

/**
 * A task of the cycle for `schoolId`, started as the cycle starts its tasks (with its context), on a compressed
 * calendar: a reminder 3 s before the deadline, the head's escalation at it and the municipality's 2 s later. The
 * deadline is 6 s after issue at the earliest (`minimumLeadSeconds`), however late the workflow gets going.
 */
async function startCycleTask(label: string, schoolId: string, municipalityId: string): Promise<string> {
  const taskId = `${cycle.id}.monitoring.${schoolId}.${label}.report`;
  const input: DeadlineTaskInput = {
    taskId,
    title: `Мониторинговый отчёт школы (${label})`,
    assigneeOrganizationId: schoolId,
    supervisorOrganizationId: municipalityId,
    deadline: { localDateTime: localDateTimeIn(ZONE, 6), timeZone: ZONE, calendar: 'calendar-days' },
    policy: {
      reminders: [{ secondsBefore: 3 }],
      escalations: [
        { secondsAfter: 0, notify: 'assignee_head' },
        { secondsAfter: 2, notify: 'supervisor' },
      ],
      minimumLeadSeconds: 6,
    },
    createdBy: region.admin.email,
    context: {
      cycleId: cycle.id,
      stageId: 'monitoring',
      stepKey: 'monitoring',
      action: 'report',
      subjectOrganizationId: schoolId,
      periodId: label,
    },
  };
  const handle: WorkflowHandle = await stack.harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
    taskQueue,
    workflowId: deadlineTaskWorkflowId(taskId),
    args: [input],
  });
  // Answers once the task is projected to PostgreSQL, as POST /api/tasks waits for it.
  await handle.executeUpdate(taskReadyUpdate);
  return taskId;
}

async function listIds(client: ApiClient, query: Record<string, string> = {}): Promise<string[]> {
  const response = await client.get(`/api/tasks?${new URLSearchParams({ limit: '200', ...query })}`);
  expect(response.status).toBe(200);
  return (response.body.items as { id: string }[]).map((t) => t.id);
}

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  const ds = stack.harness.dataSource;
  region = await createTestRegion(ds, { code: `cu${suffix}`.slice(0, 20), timeZone: ZONE, municipalities: 2, schoolsPerMunicipality: 2 });
  // Participants: the first school of each municipality; the second school of the first one is the partner.
  curated = region.schools.find((s) => s.id.endsWith('-1-1'))!;
  uncurated = region.schools.find((s) => s.id.endsWith('-2-1'))!;
  const partner = region.schools.find((s) => s.id.endsWith('-1-2'))!;
  cycle = await insertCycle(ds, suffix, {
    regionCode: region.code,
    ministryId: region.ministryId,
    participants: [curated, uncurated].map((s) => ({ schoolId: s.id, municipalityId: s.municipalityId })),
  });
  anonymous = new ApiClient(stack.baseUrl);
  admin = await anonymous.as(region.admin.email, REGION_PASSWORD);
  reviewer = await anonymous.as(region.reviewer.email, REGION_PASSWORD);
  partnerCuratorEmail = partner.director.email;
  partnerCurator = await anonymous.as(partnerCuratorEmail, REGION_PASSWORD);
  partnerCuratorId = await personId(partner.id, partnerCuratorEmail);
  instituteCuratorId = await personId(region.instituteId, region.curator.email);
});

afterAll(() => stack?.close());

describe('naming a curator', () => {
  it('refuses, in Russian, a person who may not curate the school, a school outside the cycle and bad input', async () => {
    const ownDirector = await personId(curated.id, curated.director.email);
    expectRussianError(await name(admin, { schoolId: curated.id, curatorPersonId: ownDirector, basis: BASIS }), 422, [
      'не может быть её куратором',
    ]);
    const coordinator = region.municipalities[0].coordinator;
    const coordinatorId = await personId(coordinator.organizationId, coordinator.email);
    expectRussianError(await name(admin, { schoolId: curated.id, curatorPersonId: coordinatorId, basis: BASIS }), 422, [
      'института развития образования или школы-партнёра',
      'муниципальный орган управления образованием',
    ]);
    const other = await insertOtherRegion(stack.harness.dataSource, suffix, REGION_PASSWORD);
    const [stranger]: { id: string }[] = await stack.harness.dataSource.query(`SELECT id FROM people WHERE email = $1`, [other.adminEmail]);
    expectRussianError(await name(admin, { schoolId: curated.id, curatorPersonId: stranger.id, basis: BASIS }), 422, ['другому региону']);

    const notParticipant = region.schools.find((s) => s.id.endsWith('-1-2'))!;
    expectRussianError(await name(admin, { schoolId: notParticipant.id, curatorPersonId: instituteCuratorId, basis: BASIS }), 422, [
      'не входит в утверждённый список школ-участниц',
    ]);
    expectRussianError(
      await name(admin, { schoolId: curated.id, curatorPersonId: '00000000-0000-4000-8000-000000000000', basis: BASIS }),
      422,
      ['не найден в справочнике'],
    );
    expectRussianError(await name(admin, { schoolId: curated.id, curatorPersonId: 'nobody', basis: BASIS }), 400, [], ['curatorPersonId']);
    expectRussianError(await name(admin, { schoolId: curated.id, curatorPersonId: partnerCuratorId }), 400, [], ['basis']);
    expectRussianError(await name(reviewer, { schoolId: curated.id, curatorPersonId: partnerCuratorId, basis: BASIS }), 403, [
      'администратор министерства',
    ]);
    expectRussianError(
      await admin.post(`/api/cycles/no-such-cycle-${suffix}/curators`, { schoolId: curated.id, curatorPersonId: partnerCuratorId, basis: BASIS }),
      404,
      ['не найден'],
    );
  });

  it('names a partner school’s director and an institute methodologist, each once, with an audit entry', async () => {
    const response = await name(admin, { schoolId: curated.id, curatorPersonId: partnerCuratorId, basis: BASIS });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      cycleId: cycle.id,
      schoolId: curated.id,
      schoolName: curated.name,
      municipalityId: curated.municipalityId,
      curator: { personId: partnerCuratorId, email: partnerCuratorEmail },
      curatorKind: 'partner_school',
      curatorKindTitle: 'школа-партнёр',
      basis: BASIS,
      namedBy: region.admin.email,
      active: true,
    });
    curatorshipId = response.body.id;
    expectRussianError(await name(admin, { schoolId: curated.id, curatorPersonId: partnerCuratorId, basis: BASIS }), 409, ['уже куратор']);

    const institute = await name(admin, { schoolId: curated.id, curatorPersonId: instituteCuratorId, basis: BASIS });
    expect(institute.status).toBe(201);
    expect(institute.body).toMatchObject({ curatorKind: 'institute', curator: { email: region.curator.email } });
    instituteCuratorshipId = institute.body.id;

    const audit: { type: string; actor: string; cycle_id: string; data: Record<string, unknown> }[] = await stack.harness.dataSource.query(
      `SELECT type, actor, cycle_id, data FROM audit_events WHERE subject_type = 'curatorship' AND subject_id = $1`,
      [curatorshipId],
    );
    expect(audit).toEqual([
      expect.objectContaining({ type: 'curator_named', actor: region.admin.email, cycle_id: cycle.id, data: expect.objectContaining({ basis: BASIS }) }),
    ]);
  });

  it('lists the curators for the ministry, the auditor, the school’s municipality and the curator, not for others', async () => {
    const ids = (r: ApiResponse) => (r.body as { id: string }[]).map((c) => c.id).sort();
    const both = [curatorshipId, instituteCuratorshipId].sort();
    expect(ids(await admin.get(curatorsPath()))).toEqual(both);
    expect(ids(await (await anonymous.as(region.auditor.email, REGION_PASSWORD)).get(curatorsPath()))).toEqual(both);
    expect(ids(await (await anonymous.as(region.curator.email, REGION_PASSWORD)).get(curatorsPath()))).toEqual(both);
    const [first, second] = region.municipalities;
    expect(ids(await (await anonymous.as(first.coordinator.email, REGION_PASSWORD)).get(curatorsPath()))).toEqual(both);
    expect(ids(await (await anonymous.as(second.coordinator.email, REGION_PASSWORD)).get(curatorsPath()))).toEqual([]);
    expect(ids(await partnerCurator.get(curatorsPath()))).toEqual([curatorshipId]);
    const otherSchool = await anonymous.as(uncurated.director.email, REGION_PASSWORD);
    expectRussianError(await otherSchool.get(curatorsPath()), 403, ['Список кураторов цикла доступен']);
    expectRussianError(await admin.get(`${curatorsPath()}?includeRemoved=maybe`), 400, [], ['includeRemoved']);
  });
});

describe('what a curator may do with the school’s tasks', () => {
  let taskId: string;
  let otherTaskId: string;

  beforeAll(async () => {
    taskId = await startCycleTask('q1', curated.id, curated.municipalityId);
    otherTaskId = await startCycleTask('q1', uncurated.id, uncurated.municipalityId);
  });

  it("reads the curated school's task of the cycle — inbox, page, history — and nothing of other schools", async () => {
    const inbox = await listIds(partnerCurator);
    expect(inbox).toContain(taskId);
    expect(inbox).not.toContain(otherTaskId);
    expect(await listIds(partnerCurator, { organizationId: curated.id })).toEqual([taskId]);
    const page = await partnerCurator.get(`/api/tasks/${encodeURIComponent(taskId)}`);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ id: taskId, assignee: { id: curated.id } });
    expect((page.body.timeline as { type: string }[]).map((e) => e.type)).toContain('created');
    expectRussianError(await partnerCurator.get(`/api/tasks/${encodeURIComponent(otherTaskId)}`), 403);
    expectRussianError(await partnerCurator.get(`/api/tasks?organizationId=${uncurated.id}`), 403);
  });

  it('is refused completing, extending or asking to extend it (403, in Russian)', async () => {
    const path = `/api/tasks/${encodeURIComponent(taskId)}`;
    expectRussianError(await partnerCurator.post(`${path}/complete`, { comment: 'Отчёт за школу' }), 403, [
      'Куратор школы может только просматривать её задачи',
    ]);
    expectRussianError(
      await partnerCurator.post(`${path}/extension-requests`, { dueAt: DateTime.now().plus({ days: 30 }).toISODate(), reason: 'Просим продлить' }),
      403,
      ['Куратор школы может только просматривать'],
    );
    expectRussianError(await partnerCurator.post(`${path}/extend`, { dueAt: '2027-03-01', reason: 'Продлить' }), 403);
    expect((await partnerCurator.get(path)).body.status).toBe('open');
  });

  it('gets a copy of each escalation as the school’s curator, never the reminder', async () => {
    const { sink } = stack;
    // The reminder, the head's escalation, the municipality's, and a copy of each escalation for the curators.
    await sink.waitFor(() => sink.forTask(taskId).length === 5, 60_000);
    const mails = sink.forTask(taskId);
    const toCurators = (m: ReceivedMail) => m.to.includes(partnerCuratorEmail) || m.to.includes(region.curator.email);
    const copies = mails.filter(toCurators);
    expect(copies).toHaveLength(2);
    for (const copy of copies) {
      expect([...copy.to].sort()).toEqual([partnerCuratorEmail, region.curator.email].sort());
      expect(copy.subject).toMatch(/^Копия куратору: /);
      expect(copy.text).toContain(`Вы получаете копию этого письма как куратор школы «${curated.name}»`);
    }
    const reminder = mails.find((m) => m.subject.startsWith('Напоминание'));
    expect(reminder).toBeDefined();
    expect(toCurators(reminder!)).toBe(false);
    // The school no one curates: its escalations go out, with no copy.
    await sink.waitFor(() => sink.forTask(otherTaskId).length === 3, 60_000);
    expect(sink.forTask(otherTaskId).some((m) => m.subject.startsWith('Копия куратору'))).toBe(false);

    // The task's page lists the copies as e-mails of their own, and the timeline says who got them. The sink holds a
    // message before the worker records it (outbox row marked sent, then the timeline's event), so wait for both.
    type CopyRow = { target: string; status: string; stepKey: string };
    type Escalation = { type: string; data: { curatorCopy?: { recipients: string[] } } };
    const page = await pollUntil(
      'both escalations recorded on the task page',
      async () => {
        const answer = await admin.get(`/api/tasks/${encodeURIComponent(taskId)}`);
        const rows = (answer.body.notifications as CopyRow[]).filter((n) => n.target === 'curator_copy');
        const sent = (answer.body.timeline as Escalation[]).filter((e) => e.type === 'escalation_sent');
        return rows.length === 2 && rows.every((n) => n.status === 'sent') && sent.length === 2 ? answer : undefined;
      },
      60_000,
    );
    const copyRows = (page.body.notifications as CopyRow[]).filter((n) => n.target === 'curator_copy');
    expect(copyRows.map((n) => n.stepKey).sort()).toEqual(['r1-escalation-1-curators', 'r1-escalation-2-curators']);
    const escalations = (page.body.timeline as Escalation[]).filter((e) => e.type === 'escalation_sent');
    expect(escalations.map((e) => [...(e.data.curatorCopy?.recipients ?? [])].sort())).toEqual([
      [partnerCuratorEmail, region.curator.email].sort(),
      [partnerCuratorEmail, region.curator.email].sort(),
    ]);
  });
});

describe("the curators' copy is sent once", () => {
  it('is retried alone when only the copy failed, and a later retry sends nothing', async () => {
    const ds = stack.harness.dataSource;
    const taskId = `${cycle.id}.monitoring.${curated.id}.retry-${suffix}.report`;
    const snapshot = await insertTaskRow(ds, {
      id: taskId,
      title: 'Мониторинговый отчёт школы (повтор отправки)',
      assignee: curated.id,
      supervisor: curated.municipalityId,
      dueAt: '2026-10-30T18:00:00',
      context: { cycleId: cycle.id, stageId: 'monitoring', stepKey: 'monitoring', action: 'report', subjectOrganizationId: curated.id },
    });
    // The relay refuses the first copy (and only it), as a relay that drops the connection mid-send would.
    const real = stack.harness.mailer;
    let copyRefusals = 1;
    const flaky = {
      async send(mail: OutgoingMail) {
        if (mail.messageId.includes('-curators') && copyRefusals-- > 0) throw new Error('421 connection dropped');
        return real.send(mail);
      },
    } as unknown as Mailer;
    const { sendTaskNotification } = createTaskActivities({
      tasks: new TaskRepository(ds),
      records: taskRecordRepository(ds),
      directory: new DirectoryRepository(ds),
      outbox: new NotificationOutboxRepository(ds),
      mailer: flaky,
      publicUrl: 'http://uplift.test',
      messageIdDomain: 'uplift.test',
    });
    const step: ScheduledNotification = { stepKey: 'r1-escalation-1', kind: 'escalation', target: 'assignee_head', at: snapshot.deadline.dueAt };
    const attempt = (): Promise<NotificationDelivery> =>
      new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(sendTaskNotification, { step, snapshot }) as Promise<NotificationDelivery>;

    await expect(attempt()).rejects.toThrow('421');
    await stack.sink.waitFor(() => stack.sink.forTask(taskId).length === 1);
    const second = await attempt();
    expect(second).toMatchObject({ status: 'sent', curatorCopy: { status: 'sent' } });
    expect([...second.curatorCopy!.recipients].sort()).toEqual([partnerCuratorEmail, region.curator.email].sort());
    await stack.sink.waitFor(() => stack.sink.forTask(taskId).length === 2);
    expect(await attempt()).toEqual(second);

    const rows: { step_key: string; status: string; attempts: number }[] = await ds.query(
      `SELECT step_key, status, attempts FROM notifications WHERE task_id = $1 ORDER BY step_key`,
      [taskId],
    );
    expect(rows).toEqual([
      { step_key: 'r1-escalation-1', status: 'sent', attempts: 1 },
      { step_key: 'r1-escalation-1-curators', status: 'sent', attempts: 2 },
    ]);
    expect(stack.sink.forTask(taskId).map((m) => m.subject.startsWith('Копия куратору'))).toEqual([false, true]);
  });
});

describe('removing a curator', () => {
  it('keeps the record with the reason, once, and ends the curator’s access to the school’s tasks', async () => {
    const taskId = `${cycle.id}.monitoring.${curated.id}.q1.report`;
    const reason = 'Куратор переведён в другую школу';
    const removePath = `${curatorsPath()}/${curatorshipId}/remove`;
    expectRussianError(await admin.post(removePath, {}), 400, [], ['reason']);
    expectRussianError(await reviewer.post(removePath, { reason }), 403);
    expectRussianError(await admin.post(`${curatorsPath()}/not-a-uuid/remove`, { reason }), 400, ['UUID']);
    expectRussianError(await admin.post(`${curatorsPath()}/00000000-0000-4000-8000-000000000000/remove`, { reason }), 404);

    const removed = await admin.post(removePath, { reason });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ id: curatorshipId, active: false, removedBy: region.admin.email, removalReason: reason });
    expectRussianError(await admin.post(removePath, { reason }), 409, ['уже снят']);

    const active = (await admin.get(curatorsPath())).body as { id: string }[];
    expect(active.map((c) => c.id)).toEqual([instituteCuratorshipId]);
    const withRemoved = (await admin.get(`${curatorsPath()}?includeRemoved=true`)).body as { id: string; removalReason?: string }[];
    expect(withRemoved.find((c) => c.id === curatorshipId)).toMatchObject({ removalReason: reason });

    expectRussianError(await partnerCurator.get(`/api/tasks/${encodeURIComponent(taskId)}`), 403);
    expect(await listIds(partnerCurator)).not.toContain(taskId);

    const audit: { type: string }[] = await stack.harness.dataSource.query(
      `SELECT type FROM audit_events WHERE subject_type = 'curatorship' AND subject_id = $1 ORDER BY chain_seq`,
      [curatorshipId],
    );
    expect(audit.map((a) => a.type)).toEqual(['curator_named', 'curator_removed']);
  });

  it('never answered with a server error', () => {
    expect(anonymous.seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});
