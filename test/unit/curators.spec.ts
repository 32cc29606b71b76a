import { curatorshipVisibility, mayListCurators, seesCuratorship } from '../../apps/api/curators/curator-visibility';
import type { AuthUser } from '../../apps/api/auth/auth-user';
import {
  curatorCopyScope,
  curatorCopyStepKey,
  curatorEligibility,
  curatorReadsTask,
  type CuratorOrganization,
} from '../../libs/domain/curators';
import { renderTaskNotification, type TaskNotificationView } from '../../libs/mail';

const school = { id: 'demo-school-severny-1', name: 'МБОУ «СОШ № 1» пос. Северный' };
const org = (id: string, kind: string, regionCode = 'demo', name = `Организация ${id}`): CuratorOrganization => ({ id, kind, name, regionCode });

describe('curatorEligibility: who may curate a participant school', () => {
  it("takes a person of the region's institute, or of another school of the region (a partner school)", () => {
    expect(curatorEligibility('demo', school, org('demo-iro', 'institute'))).toEqual({ eligible: true, kind: 'institute' });
    expect(curatorEligibility('demo', school, org('demo-school-yuzhny-1', 'school'))).toEqual({ eligible: true, kind: 'partner_school' });
  });

  it('refuses the school itself, the ministry, a municipality and another region, saying why in Russian', () => {
    const own = curatorEligibility('demo', school, org(school.id, 'school', 'demo', school.name));
    expect(own).toEqual({ eligible: false, reason: expect.stringContaining('не может быть её куратором') });
    const ministry = curatorEligibility('demo', school, org('demo-ministry', 'ministry', 'demo', 'Министерство образования'));
    expect(ministry).toEqual({ eligible: false, reason: expect.stringContaining('«Министерство образования» — министерство') });
    const municipality = curatorEligibility('demo', school, org('demo-mun-severny', 'municipality', 'demo', 'Управление образования'));
    expect(municipality).toEqual({ eligible: false, reason: expect.stringContaining('муниципальный орган управления образованием') });
    const elsewhere = curatorEligibility('demo', school, org('other-iro', 'institute', 'other', 'ИРО другого региона'));
    expect(elsewhere).toEqual({ eligible: false, reason: expect.stringContaining('другому региону') });
  });
});

describe('curatorReadsTask: which tasks a curator may read', () => {
  const curated = [{ cycleId: 'demo-2026', schoolId: school.id }];
  const cycleTask = (assignee: string, subject: string, cycleId = 'demo-2026') => ({
    assigneeOrganizationId: assignee,
    context: { cycleId, subjectOrganizationId: subject },
  });

  it("reads the curated school's tasks of that cycle, assigned to it or about it", () => {
    expect(curatorReadsTask(curated, cycleTask(school.id, school.id))).toBe(true);
    expect(curatorReadsTask(curated, cycleTask('demo-mun-severny', school.id))).toBe(true);
  });

  it("does not read the school's tasks of another cycle, its stand-alone tasks, or other schools' tasks", () => {
    expect(curatorReadsTask(curated, cycleTask(school.id, school.id, 'demo-2027'))).toBe(false);
    expect(curatorReadsTask(curated, { assigneeOrganizationId: school.id })).toBe(false);
    expect(curatorReadsTask(curated, cycleTask('demo-school-severny-2', 'demo-school-severny-2'))).toBe(false);
    expect(curatorReadsTask([], cycleTask(school.id, school.id))).toBe(false);
  });
});

describe('curatorCopyScope: which e-mails the curators get a copy of', () => {
  const task = { assigneeOrganizationId: school.id, context: { cycleId: 'demo-2026', subjectOrganizationId: school.id } };

  it("copies an escalation of a cycle task to the curators of its assignee in that cycle", () => {
    expect(curatorCopyScope('escalation', task)).toEqual({ cycleId: 'demo-2026', schoolId: school.id });
  });

  it('never copies reminders, nor escalations of tasks outside a cycle', () => {
    expect(curatorCopyScope('reminder', task)).toBeUndefined();
    expect(curatorCopyScope('escalation', { assigneeOrganizationId: school.id })).toBeUndefined();
  });

  it('keys the copy apart from the step it copies, so each is sent once', () => {
    expect(curatorCopyStepKey('r1-escalation-1')).toBe('r1-escalation-1-curators');
  });
});

describe("the curators' copy of an escalation", () => {
  const view: TaskNotificationView = {
    kind: 'escalation',
    target: 'assignee_head',
    taskTitle: 'Представить программу перехода в эффективный режим',
    assigneeName: school.name,
    dueLocal: '15.12.2026 18:00',
    timeZone: 'Asia/Yekaterinburg',
    taskUrl: 'http://uplift.test/tasks/t1',
  };

  it('says it is a copy and that the reader gets it as the school’s curator, with the same facts', () => {
    const original = renderTaskNotification(view);
    const copy = renderTaskNotification({ ...view, curatedSchoolName: school.name });
    expect(copy.subject).toBe(`Копия куратору: ${original.subject}`);
    expect(copy.text).toContain(`Вы получаете копию этого письма как куратор школы «${school.name}».`);
    expect(copy.text).toContain('Срок исполнения истёк: 15.12.2026 18:00 (Asia/Yekaterinburg).');
    expect(copy.text).not.toContain('Уважаемый руководитель');
    expect(copy.html).toContain('как куратор школы');
    expect(original.text).not.toContain('куратор');
  });
});

describe('who reads the list of curators', () => {
  const user = (role: AuthUser['role'], organizationId: string, personId = 'p-user', actingFor: AuthUser['actingFor'] = []): AuthUser => ({
    personId,
    email: `${personId}@demo.test`,
    fullName: 'Тестовый Пользователь',
    role,
    organizationId,
    organizationKind: 'school',
    regionCode: 'demo',
    actingFor,
  });
  const row = (municipalityId: string, curatorPersonId: string) => ({ municipalityId, curatorPersonId });

  it('gives the ministry, the institute and the auditor every curator', () => {
    for (const role of ['ministry_admin', 'ministry_reviewer', 'institute_curator', 'auditor'] as const) {
      expect(curatorshipVisibility(user(role, 'x'))).toEqual({ kind: 'all' });
    }
  });

  it("gives a municipality its schools' curators and a curator their own", () => {
    const municipality = curatorshipVisibility(user('municipal_coordinator', 'demo-mun-severny'));
    expect(seesCuratorship(municipality, row('demo-mun-severny', 'p-other'))).toBe(true);
    expect(seesCuratorship(municipality, row('demo-mun-yuzhny', 'p-other'))).toBe(false);
    expect(mayListCurators(municipality, [])).toBe(true);

    const curator = curatorshipVisibility(user('school', 'demo-school-yuzhny-1', 'p-curator'));
    expect(seesCuratorship(curator, row('demo-mun-severny', 'p-curator'))).toBe(true);
    expect(seesCuratorship(curator, row('demo-mun-severny', 'p-other'))).toBe(false);
    expect(mayListCurators(curator, [row('demo-mun-severny', 'p-curator')])).toBe(true);
  });

  it('refuses a school that curates nobody in the cycle; a deputy reads as the principal, but not as an auditor', () => {
    const school2 = curatorshipVisibility(user('school', 'demo-school-severny-2'));
    expect(mayListCurators(school2, [row('demo-mun-severny', 'p-other')])).toBe(false);

    const deputy = curatorshipVisibility(
      user('school', 'demo-school-severny-2', 'p-deputy', [{ personId: 'p-curator', organizationId: 'demo-iro', role: 'school', until: '2026-12-31' }]),
    );
    expect(seesCuratorship(deputy, row('demo-mun-severny', 'p-curator'))).toBe(true);
    const auditorsDeputy = curatorshipVisibility(
      user('school', 'demo-school-severny-2', 'p-deputy', [{ personId: 'p-auditor', organizationId: 'demo-ministry', role: 'auditor', until: '2026-12-31' }]),
    );
    expect(auditorsDeputy.kind).toBe('some');
  });
});
