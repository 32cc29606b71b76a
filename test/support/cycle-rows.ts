/**
 * Rows of a yearly cycle inserted straight into PostgreSQL, for API tests that read what a cycle produced (reports,
 * practices, outcomes) without running one: a template version, the cycle with its resolved plan, its participants,
 * task read-model rows with their cycle context, and submissions.
 */
import { hashSync } from 'bcryptjs';
import type { DataSource } from 'typeorm';
import type { ResolvedCyclePlan } from '../../libs/contracts/cycle-template';
import { DEFAULT_NOTIFICATION_POLICY, type TaskContext, type TaskSnapshot, type TaskStatus } from '../../libs/contracts/deadline-task';
import { DirectoryRepository } from '../../libs/persistence';

export const DEMO_ZONE = 'Asia/Yekaterinburg';

export const MONITORING_PERIODS = [
  { id: 'q1', title: 'I четверть', dueLocal: '2026-10-30T18:00:00' },
  { id: 'q2', title: 'II четверть', dueLocal: '2026-12-25T18:00:00' },
  { id: 'q3', title: 'III четверть', dueLocal: '2027-03-19T18:00:00' },
];

/** A plan with a monitoring step (three periods, form «indicators») and a best-practice step. */
export function monitoringPlan(academicYear: number): ResolvedCyclePlan {
  const review = { by: 'ministry' as const, maxRounds: 1, deadline: { workingDays: 5 } };
  return {
    templateId: 'rows-template',
    templateVersion: 1,
    title: 'Поддержка школ с низкими образовательными результатами (тестовый план)',
    timeZone: DEMO_ZONE,
    academicYear,
    calendar: 'working-days',
    forms: {
      indicators: {
        title: 'Показатели мониторинга',
        fields: [
          { id: 'vprMath', title: 'Доля выполнивших ВПР по математике', type: 'percent', unit: '%' },
          { id: 'failures', title: 'Доля неудовлетворительных результатов', type: 'percent', unit: '%', higherIsBetter: false },
          { id: 'note', title: 'Комментарий', type: 'text' },
        ],
      },
      practice: { title: 'Описание практики', fields: [{ id: 'title', title: 'Название', type: 'text' }] },
    },
    stages: [
      {
        id: 'monitoring',
        title: 'Мониторинг',
        dependsOn: [],
        steps: [
          {
            key: 'monitoring',
            stepId: 'monitoring',
            stageId: 'monitoring',
            title: 'Мониторинг показателей',
            kind: 'monitoring',
            actor: 'school',
            dueLocal: '2027-03-19T18:00:00',
            reporter: 'school',
            monitoringForm: 'indicators',
            periods: MONITORING_PERIODS.map((p) => ({ ...p, opensAt: `${p.dueLocal.slice(0, 8)}01T09:00:00` })),
            policy: DEFAULT_NOTIFICATION_POLICY,
          },
        ],
      },
      {
        id: 'practices',
        title: 'Лучшие практики',
        dependsOn: ['monitoring'],
        steps: [
          {
            key: 'best-practice',
            stepId: 'best-practice',
            stageId: 'practices',
            title: 'Описание лучших практик',
            kind: 'best_practice',
            actor: 'school',
            dueLocal: '2027-05-28T18:00:00',
            bestPractice: { indicator: 'vprMath', top: 2, form: 'practice', review },
            policy: DEFAULT_NOTIFICATION_POLICY,
          },
        ],
      },
    ],
  };
}

export interface InsertedCycle {
  id: string;
  regionCode: string;
  ministryId: string;
  academicYear: number;
}

/**
 * A template version that cycles inserted by tests can point at. Its document has the shape the API reads (title,
 * zone, programme, stages), so template listings stay readable when the tests share a database.
 */
export async function insertStubTemplate(ds: DataSource, id: string, title = 'Тестовый шаблон'): Promise<void> {
  const document = { id, version: 1, title, timeZone: DEMO_ZONE, programme: { firstAcademicYear: 2026, years: 1 }, stages: [] };
  await ds.query(
    `INSERT INTO cycle_templates (id, version, title, source_format, source_text, document, sha256, owner_region_code, created_by)
     VALUES ($1, 1, $2, 'json', $3, $4, $5, 'test-stubs', 'test') ON CONFLICT DO NOTHING`,
    [id, title, JSON.stringify(document), JSON.stringify(document), '0'.repeat(64)],
  );
}

/** A running cycle of the region (demo by default) in a year no other test uses. */
export async function insertCycle(
  ds: DataSource,
  suffix: string,
  options: { regionCode?: string; ministryId?: string; status?: string; participants?: { schoolId: string; municipalityId: string }[] } = {},
): Promise<InsertedCycle> {
  const regionCode = options.regionCode ?? 'demo';
  const ministryId = options.ministryId ?? 'demo-ministry';
  // UNIQUE (region_code, academic_year): far-future years keep clear of real launches and of other runs.
  const academicYear = 3000 + Math.floor(Math.random() * 900_000);
  const id = `${regionCode}-${academicYear}`;
  const templateId = `rows-${suffix}`;
  await insertStubTemplate(ds, templateId);
  await ds.query(
    `INSERT INTO cycles (id, region_code, academic_year, template_id, template_version, workflow_id, ministry_id, status, plan, launched_by)
     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, 'programme@demo-region.example')`,
    [id, regionCode, academicYear, templateId, `cycle:${id}`, ministryId, options.status ?? 'running', JSON.stringify(monitoringPlan(academicYear))],
  );
  const participants = options.participants ?? [
    { schoolId: 'demo-school-severny-1', municipalityId: 'demo-mun-severny' },
    { schoolId: 'demo-school-severny-2', municipalityId: 'demo-mun-severny' },
    { schoolId: 'demo-school-yuzhny-1', municipalityId: 'demo-mun-yuzhny' },
  ];
  for (const p of participants) {
    await ds.query(
      `INSERT INTO cycle_participants (cycle_id, school_id, municipality_id, included, decided_by) VALUES ($1, $2, $3, true, 'test')`,
      [id, p.schoolId, p.municipalityId],
    );
  }
  return { id, regionCode, ministryId, academicYear };
}

export interface TaskRowOptions {
  id: string;
  title: string;
  assignee: string;
  supervisor?: string;
  dueAt: string;
  status?: TaskStatus;
  completedAt?: string;
  completedLate?: boolean;
  context?: TaskContext;
}

/** A task read-model row as the projection writes it (the workflow itself is not started). */
export async function insertTaskRow(ds: DataSource, o: TaskRowOptions): Promise<TaskSnapshot> {
  const status = o.status ?? 'open';
  const snapshot: TaskSnapshot = {
    taskId: o.id,
    workflowId: `task:${o.id}`,
    title: o.title,
    status,
    assigneeOrganizationId: o.assignee,
    supervisorOrganizationId: o.supervisor ?? 'demo-ministry',
    deadline: {
      requested: { localDateTime: o.dueAt.slice(0, 16), timeZone: DEMO_ZONE, calendar: 'working-days' },
      localDateTime: o.dueAt,
      dueAt: new Date(`${o.dueAt}+05:00`).toISOString().replace('.000Z', 'Z'),
      movedFromNonWorkingDay: false,
    },
    deadlineRevision: 1,
    policy: DEFAULT_NOTIFICATION_POLICY,
    schedule: [],
    sentSteps: [],
    createdBy: 'system',
    createdAt: '2026-09-01T04:00:00Z',
    ...(status === 'completed' ? { completedAt: o.completedAt, completedBy: 'test', completedLate: o.completedLate ?? false } : {}),
    context: o.context,
    version: status === 'open' ? 1 : 2,
  };
  await ds.query(
    `INSERT INTO tasks (id, workflow_id, title, status, assignee_organization_id, supervisor_organization_id, due_at, time_zone,
                        created_at, closed_at, version, snapshot)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      o.id,
      snapshot.workflowId,
      o.title,
      status,
      o.assignee,
      snapshot.supervisorOrganizationId,
      snapshot.deadline.dueAt,
      DEMO_ZONE,
      snapshot.createdAt,
      snapshot.completedAt ?? null,
      snapshot.version,
      JSON.stringify(snapshot),
    ],
  );
  return snapshot;
}

export interface SubmissionRowOptions {
  cycleId: string;
  taskId: string;
  stageId: string;
  stepKey: string;
  action: string;
  organizationId: string;
  periodId?: string;
  version?: number;
  form: Record<string, unknown>;
  submittedAt?: string;
}

export async function insertSubmission(ds: DataSource, s: SubmissionRowOptions): Promise<string> {
  const [row]: { id: string }[] = await ds.query(
    `INSERT INTO submissions (cycle_id, task_id, stage_id, step_key, action, organization_id, subject_organization_id, period_id,
                              version, form, submitted_by, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9, 'test', coalesce($10::timestamptz, now())) RETURNING id`,
    [s.cycleId, s.taskId, s.stageId, s.stepKey, s.action, s.organizationId, s.periodId ?? null, s.version ?? 1, JSON.stringify(s.form), s.submittedAt ?? null],
  );
  return row.id;
}

export interface OtherRegion {
  regionCode: string;
  ministryId: string;
  adminEmail: string;
  municipalityId: string;
  schoolIds: [string, string];
}

/**
 * A second region with its own ministry, administrator, one municipality and two schools: to check that one region's
 * officials stay out of another's, and for rows no other test of the demo region can touch.
 */
export async function insertOtherRegion(ds: DataSource, suffix: string, password: string): Promise<OtherRegion> {
  const regionCode = `o${suffix}`.slice(0, 20);
  const ministryId = `${regionCode}-ministry`;
  const municipalityId = `${regionCode}-mun`;
  const schoolIds: [string, string] = [`${regionCode}-school-1`, `${regionCode}-school-2`];
  const org = (id: string, kind: string, name: string, parentId: string | null) =>
    ds.query(`INSERT INTO organizations (id, kind, name, region_code, time_zone, parent_id) VALUES ($1, $2, $3, $4, 'Europe/Moscow', $5)`, [
      id,
      kind,
      name,
      regionCode,
      parentId,
    ]);
  await org(ministryId, 'ministry', `Министерство образования другого региона (${regionCode})`, null);
  await org(municipalityId, 'municipality', `Отдел образования другого района (${regionCode})`, ministryId);
  await org(schoolIds[0], 'school', `МБОУ «СОШ № 5» (${regionCode})`, municipalityId);
  await org(schoolIds[1], 'school', `МБОУ «СОШ № 6» (${regionCode})`, municipalityId);
  const adminEmail = `admin@${regionCode}.region.test`;
  await new DirectoryRepository(ds).addPerson({
    organizationId: ministryId,
    fullName: 'Другова Дарья Олеговна',
    email: adminEmail,
    isHead: false,
    role: 'ministry_admin',
    passwordHash: hashSync(password, 4),
  });
  return { regionCode, ministryId, adminEmail, municipalityId, schoolIds };
}
