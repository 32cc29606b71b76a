import { DataSource } from 'typeorm';
import {
  AuditLogRepository,
  CycleParticipantRepository,
  dataSourceOptions,
  DirectoryRepository,
  IdentificationImportRepository,
  PracticeRepository,
  seedDemoRegion,
  type AuditEntryInput,
} from '../../libs/persistence';
import { insertCycle, insertSubmission, type InsertedCycle } from '../support/cycle-rows';
import { requireTestEnv, uniqueSuffix } from '../support/test-config';

/**
 * A business row and the audit entry that tells of it commit together or not at all: when PostgreSQL refuses the
 * entry (here: a subject type longer than its column), the change it records is rolled back with it; when it takes
 * the entry, both are there.
 */
let ds: DataSource;
let cycle: InsertedCycle;
const suffix = uniqueSuffix();

const refusedEntry = (subjectId: string): AuditEntryInput => ({
  subjectType: 'x'.repeat(41), // audit_events.subject_type is varchar(40)
  subjectId,
  type: 'atomicity_probe',
  actor: 'atomic@test.example',
  occurredAt: new Date(),
  data: {},
});

const entry = (subjectType: string, subjectId: string, type: string): AuditEntryInput => ({
  subjectType,
  subjectId,
  type,
  actor: 'atomic@test.example',
  occurredAt: new Date(),
  data: { suffix },
});

async function entriesOf(subjectType: string, subjectId: string): Promise<string[]> {
  return (await new AuditLogRepository(ds).list({ subjectType, subjectId })).map((e) => e.type);
}

beforeAll(async () => {
  ds = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  await seedDemoRegion(ds);
  cycle = await insertCycle(ds, suffix);
});

afterAll(async () => {
  await ds?.destroy();
});

describe('a business write and its audit entry', () => {
  it("a participant's outcome is not stored when its audit entry is refused, and is stored with it otherwise", async () => {
    const participants = new CycleParticipantRepository(ds);
    const decision = { outcome: 'internship_site' as const, reason: 'проверка', by: 'atomic@test.example' };
    await expect(participants.setOutcome(cycle.id, 'demo-school-severny-1', decision, refusedEntry(cycle.id))).rejects.toThrow();
    const before = (await participants.listParticipants(cycle.id)).find((p) => p.schoolId === 'demo-school-severny-1')!;
    expect(before.outcome).toBeNull();

    const stored = await participants.setOutcome(cycle.id, 'demo-school-severny-1', decision, {
      ...entry('cycle', cycle.id, 'participant_outcome_set'),
      cycleId: cycle.id,
    });
    expect(stored).toBe(true);
    const after = (await participants.listParticipants(cycle.id)).find((p) => p.schoolId === 'demo-school-severny-1')!;
    expect(after.outcome).toBe('internship_site');
    expect(await entriesOf('cycle', cycle.id)).toEqual(['participant_outcome_set']);
  });

  it('a participant outside the list gets neither an outcome nor an audit entry', async () => {
    const participants = new CycleParticipantRepository(ds);
    const decision = { outcome: 'leaves' as const, reason: 'проверка', by: 'atomic@test.example' };
    const subject = `${cycle.id}-outside`;
    expect(await participants.setOutcome(cycle.id, 'demo-school-vostochny-1', decision, entry('cycle', subject, 'participant_outcome_set'))).toBe(false);
    expect(await entriesOf('cycle', subject)).toEqual([]);
  });

  it('a practice stays published when the withdrawal cannot be recorded, and is withdrawn once otherwise', async () => {
    const submissionId = await insertSubmission(ds, {
      cycleId: cycle.id,
      taskId: `${cycle.id}.best-practice.atomic.describe_practice`,
      stageId: 'practices',
      stepKey: 'best-practice',
      action: 'describe_practice',
      organizationId: 'demo-school-severny-2',
      form: { title: 'Проверка' },
    });
    const practices = new PracticeRepository(ds);
    await ds.transaction((manager) =>
      practices.publish(manager, {
        cycleId: cycle.id,
        schoolId: 'demo-school-severny-2',
        submissionId,
        title: 'Атомарная практика',
        summary: 'Кратко',
        body: 'Подробно',
        keywords: ['проверка'],
        publishedBy: 'atomic@test.example',
      }),
    );
    const { items } = await practices.search({ q: null, cycleId: cycle.id, schoolId: 'demo-school-severny-2', limit: 10, offset: 0 });
    expect(items).toHaveLength(1);
    const id = items[0].id;

    await expect(practices.withdraw(id, refusedEntry(id))).rejects.toThrow();
    expect((await practices.find(id))!.status).toBe('published');

    expect(await practices.withdraw(id, entry('best_practice', id, 'practice_withdrawn'))).toBe(true);
    expect((await practices.find(id))!.status).toBe('withdrawn');
    expect(await practices.withdraw(id, entry('best_practice', id, 'practice_withdrawn'))).toBe(false);
    expect(await entriesOf('best_practice', id)).toEqual(['practice_withdrawn']);
  });

  it('a substitution is not stored when its audit entry is refused', async () => {
    const directory = new DirectoryRepository(ds);
    const [principal, deputy] = await directory.listMembers('demo-mun-vostochny');
    const before = (await directory.listSubstitutionsOf(principal.id)).length;
    const input = {
      personId: principal.id,
      deputyPersonId: deputy.id,
      startsOn: '2999-01-10',
      endsOn: '2999-01-20',
      reason: `проверка ${suffix}`,
      createdBy: 'atomic@test.example',
    };
    await expect(directory.createSubstitution(input, (created) => refusedEntry(created.id))).rejects.toThrow();
    expect(await directory.listSubstitutionsOf(principal.id)).toHaveLength(before);

    const result = await directory.createSubstitution(input, (created) => entry('substitution', created.id, 'substitution_created'));
    expect('created' in result).toBe(true);
    const created = 'created' in result ? result.created : undefined;
    expect(await entriesOf('substitution', created!.id)).toEqual(['substitution_created']);

    const at = new Date();
    await expect(directory.revokeSubstitutionRecorded(created!.id, 'atomic@test.example', at, refusedEntry(created!.id))).rejects.toThrow();
    expect((await directory.findSubstitution(created!.id))!.revokedAt).toBeNull();
    expect(await directory.revokeSubstitutionRecorded(created!.id, 'atomic@test.example', at, entry('substitution', created!.id, 'substitution_revoked'))).toBe(true);
    expect(await entriesOf('substitution', created!.id)).toEqual(['substitution_created', 'substitution_revoked']);
  });

  it('an identification file is not kept when its audit entry is refused', async () => {
    const imports = new IdentificationImportRepository(ds);
    const file = { cycleId: cycle.id, kind: 'social' as const, fileName: 'social.csv', sha256: 'a'.repeat(64), rows: [{ code: '000101' }], importedBy: 'atomic@test.example' };
    await expect(imports.insert(file, (stored) => refusedEntry(stored.id))).rejects.toThrow();
    expect(await imports.latest(cycle.id, 'social')).toBeNull();

    const stored = await imports.insert(file, (s) => entry('identification_import', s.id, 'identification_file_imported'));
    expect(stored).toMatchObject({ cycleId: cycle.id, kind: 'social', rowCount: 1 });
    expect(stored.importedAt).toBeInstanceOf(Date);
    expect((await imports.latest<{ code: string }>(cycle.id, 'social'))!.rows).toEqual([{ code: '000101' }]);
    expect(await entriesOf('identification_import', stored.id)).toEqual(['identification_file_imported']);
  });
});
