/**
 * The four-eyes e-mail relay (activities/cycle-action-activities.ts) against a refusal committed while it reads: the
 * requester's e-mail must say who refused and why, whichever of the relay's reads the refusal falls between, and
 * must not be left unsent when the relay sees the request closed. The interleavings are forced by committing the
 * refusal (through the repository, as the API does) right after one of the relay's reads returns.
 */
import { DataSource } from 'typeorm';
import { createCycleActionActivities } from '../../activities/cycle-action-activities';
import { Mailer } from '../../libs/mail';
import { CycleActionRequestRepository, dataSourceOptions, DirectoryRepository, type CycleActionPerson } from '../../libs/persistence';
import { createTestRegion, type TestRegion } from '../support/cycle-region';
import { SmtpSink } from '../support/smtp-sink';
import { requireTestEnv, uniqueSuffix } from '../support/test-config';

const REASON = 'Основания для продления нет';

let dataSource: DataSource;
let sink: SmtpSink;
let mailer: Mailer;
let region: TestRegion;
let requests: CycleActionRequestRepository;
let directory: DirectoryRepository;

beforeAll(async () => {
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  sink = await SmtpSink.start();
  mailer = new Mailer(sink.url, 'Uplift <no-reply@uplift.test>');
  region = await createTestRegion(dataSource, { code: `car${uniqueSuffix()}`.slice(0, 18), timeZone: 'Europe/Moscow', municipalities: 1, schoolsPerMunicipality: 1 });
  requests = new CycleActionRequestRepository(dataSource);
  directory = new DirectoryRepository(dataSource);
});

afterAll(async () => {
  mailer?.close();
  await sink?.stop();
  await dataSource?.destroy();
});

async function person(email: string): Promise<CycleActionPerson & { fullName: string }> {
  const found = await directory.findPersonByEmail(region.ministryId, email);
  if (!found) throw new Error(`${email} not in the test region`);
  return { email: found.email, personId: found.id, fullName: found.fullName };
}

/** A pending stage extension asked by the region's administrator; its confirmers' e-mail is in the outbox. */
async function askExtension(label: string): Promise<string> {
  const admin = await person(region.admin.email);
  const result = await requests.create(
    {
      kind: 'extend_stage',
      regionCode: region.code,
      ministryId: region.ministryId,
      cycleId: `${region.code}-2026`,
      targetKey: `${region.code}-2026:extend:${label}`,
      payload: { stageId: 'plans', stageTitle: 'Муниципальные планы', localDateTime: '2027-05-31T18:00' },
      summary: null,
      reason: 'Письмо министерства № 1',
      requestedBy: admin.email,
      requestedByPersonId: admin.personId,
      requestedByName: admin.fullName,
      expiresAt: new Date(Date.now() + 86_400_000),
    },
    () => ({ type: 'cycle_action_requested', actor: admin.email, data: {}, cycleId: `${region.code}-2026`, organizationIds: [region.ministryId] }),
    [{ personId: admin.personId, fullName: admin.fullName, email: admin.email }],
  );
  if (!('created' in result)) throw new Error('the request was not created');
  return result.created.id;
}

async function refuse(requestId: string): Promise<void> {
  const reviewer = await person(region.reviewer.email);
  const closed = await requests.close(requestId, 'refused', reviewer, REASON, {
    type: 'cycle_action_refused',
    actor: reviewer.email,
    data: {},
    cycleId: `${region.code}-2026`,
    organizationIds: [region.ministryId],
  });
  if (!closed) throw new Error('the request was not refused');
}

/** The repository, but the refusal is committed right after the first call of `method` has read. */
function refusingAfterFirst(method: 'find' | 'pendingMails', requestId: string): CycleActionRequestRepository {
  let done = false;
  return new Proxy(requests, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== method || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const answer = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as unknown;
        if (!done) {
          done = true;
          await refuse(requestId);
        }
        return answer;
      };
    },
  });
}

/** Relays as the mail workflow does, again after each signal of a decision, until the request is closed. */
async function relayUntilClosed(repository: CycleActionRequestRepository, requestId: string): Promise<void> {
  const { relayCycleActionMails } = createCycleActionActivities({
    requests: repository,
    directory,
    mailer,
    publicUrl: 'http://uplift.test',
    messageIdDomain: 'uplift.test',
  });
  for (let relays = 0; relays < 3; relays++) {
    if (!(await relayCycleActionMails(requestId)).open) return;
  }
  throw new Error('the request still reads as open after three relays');
}

describe('the four-eyes relay, with a refusal committed between its reads', () => {
  it.each(['find', 'pendingMails'] as const)('tells the requester who refused and why when the refusal lands after its first %s', async (method) => {
    const requestId = await askExtension(method);
    await relayUntilClosed(refusingAfterFirst(method, requestId), requestId);

    const sent = (event: string) => sink.messages.filter((m) => m.messageId === `<cycle-action.${requestId}.${event}@uplift.test>`);
    expect(sent('requested')).toHaveLength(1);
    const refused = sent('refused');
    expect(refused).toHaveLength(1);
    const reviewer = await person(region.reviewer.email);
    expect(refused[0].text).toContain(reviewer.fullName);
    expect(refused[0].text).toContain(`Причина отказа: ${REASON}.`);
    expect((await requests.pendingMails(requestId)).map((m) => m.event)).toEqual([]);
  });
});
