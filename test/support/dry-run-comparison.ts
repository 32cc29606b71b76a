/**
 * The dry run and the run must be one truth: after a whole cycle, the tasks that appeared are compared with the
 * dry run's list for the same plan and the same organisations (participant schools and signed pairs, which only the
 * run can know). Each task is compared by what it is, who does it, about whom, who is escalated to and when it was
 * planned to be due.
 */
import type { DataSource } from 'typeorm';
import type { CycleProgress } from '../../libs/contracts/cycle';
import type { ResolvedCyclePlan } from '../../libs/contracts/cycle-template';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { dryRun, TOP_SCHOOLS } from '../../libs/domain/cycle-template';
import type { TestRegion } from './cycle-region';

/** Tasks whose deadline is the plan's own; the others are counted from when the task before them was done. */
const PLANNED_DUE = new Set(['approve_list', 'perform', 'submit', 'report', 'propose_pairs', 'describe_practice']);

export interface DryRunComparison {
  /** Issued by the run, absent from the dry run. */
  unexpected: string[];
  /** Listed by the dry run, never issued. */
  missing: string[];
  compared: number;
}

export async function compareRunWithDryRun(
  dataSource: DataSource,
  region: TestRegion,
  cycleId: string,
  plan: ResolvedCyclePlan,
): Promise<DryRunComparison> {
  const participants: { school_id: string; municipality_id: string }[] = await dataSource.query(
    `SELECT school_id, municipality_id FROM cycle_participants WHERE cycle_id = $1 AND included ORDER BY school_id`,
    [cycleId],
  );
  const pairs: { school_id: string; partner_school_id: string; partner_municipality_id: string | null }[] = await dataSource.query(
    `SELECT a.school_id, a.partner_school_id, p.parent_id AS partner_municipality_id
       FROM agreements a JOIN organizations p ON p.id = a.partner_school_id
      WHERE a.cycle_id = $1 AND a.status <> 'cancelled'`,
    [cycleId],
  );
  const [{ progress }]: { progress: CycleProgress | null }[] = await dataSource.query(`SELECT progress FROM cycles WHERE id = $1`, [cycleId]);
  const stepDeadlines = Object.fromEntries((progress?.datesToSet ?? []).filter((d) => d.localDateTime).map((d) => [d.stepKey, d.localDateTime as string]));
  const listed = dryRun(
    plan,
    {
      ministryId: region.ministryId,
      instituteId: region.instituteId,
      municipalities: region.municipalities.map((m) => m.id),
      schools: participants.map((p) => ({ id: p.school_id, municipalityId: p.municipality_id })),
      pairs: pairs.map((p) => ({
        schoolId: p.school_id,
        partnerSchoolId: p.partner_school_id,
        ...(p.partner_municipality_id ? { partnerMunicipalityId: p.partner_municipality_id } : {}),
      })),
      stepDeadlines,
    },
    new Date(0),
  );
  const expected = new Set(
    listed.map((row) =>
      key({
        stepKey: row.stepKey,
        action: row.action ?? '',
        assignee: row.organizationId,
        subject: row.subjectOrganizationId ?? row.organizationId,
        periodId: row.periodId,
        party: row.party,
        supervisor: row.supervisorOrganizationId,
        escalations: row.escalations.map((e) => e.notify),
        plannedDue: PLANNED_DUE.has(row.action ?? '') ? (row.plannedDueLocal ?? row.dueLocal) : undefined,
      }),
    ),
  );

  const issued: { snapshot: TaskSnapshot }[] = await dataSource.query(
    `SELECT snapshot FROM tasks WHERE snapshot->'context'->>'cycleId' = $1 ORDER BY id`,
    [cycleId],
  );
  const practiceSteps = new Set(plan.stages.flatMap((s) => s.steps).filter((s) => s.kind === 'best_practice').map((s) => s.key));
  // The best-practice schools are chosen by the monitoring results, so the dry run names them and their
  // municipalities '*': in those steps, any school or municipality of the run stands for '*'.
  const chosenLater = new Set([...region.municipalities.map((m) => m.id), ...region.schools.map((s) => s.id)]);
  const actual = new Set<string>();
  for (const { snapshot: task } of issued) {
    const c = task.context!;
    // Later rounds depend on the reviewer's decisions, which no plan can know.
    if ((c.round ?? 1) > 1) continue;
    const shown = (id: string) => (practiceSteps.has(c.stepKey) && chosenLater.has(id) ? TOP_SCHOOLS : id);
    actual.add(
      key({
        stepKey: c.stepKey,
        action: c.action,
        assignee: shown(task.assigneeOrganizationId),
        subject: shown(c.subjectOrganizationId),
        periodId: c.periodId,
        party: c.party,
        supervisor: shown(task.supervisorOrganizationId),
        escalations: task.policy.escalations.map((e) => e.notify),
        plannedDue: PLANNED_DUE.has(c.action) ? (task.deadline.leadFromIssue?.plannedLocalDateTime ?? task.deadline.requested.localDateTime) : undefined,
      }),
    );
  }
  return {
    unexpected: [...actual].filter((k) => !expected.has(k)),
    missing: [...expected].filter((k) => !actual.has(k)),
    compared: actual.size,
  };
}

function key(fields: {
  stepKey: string;
  action: string;
  assignee: string;
  subject: string;
  periodId?: string;
  party?: string;
  supervisor?: string;
  escalations: string[];
  plannedDue?: string;
}): string {
  // A confirmation's number follows the order the pairs were stored in; its party is what matters.
  const party = fields.party?.replace(/^\d+-/, '');
  return JSON.stringify({ ...fields, party, plannedDue: fields.plannedDue?.slice(0, 19) });
}
