import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { FormField, ResolvedCyclePlan } from '../../../libs/contracts/cycle-template';
import { computeDynamics, type MonitoringReportInput } from '../../../libs/domain/analytics';
import {
  CycleParticipantRepository,
  CycleRepository,
  DirectoryRepository,
  SubmissionRepository,
  TaskRepository,
  type CycleRow,
  type SubmissionRow,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { iso } from '../common/views';
import {
  type DynamicsView,
  type LateReportView,
  type MissingReportView,
  type PeriodReportingView,
  type PeriodView,
  type ReportsView,
} from './monitoring.dto';

const NUMERIC_FIELD_TYPES = new Set<FormField['type']>(['number', 'integer', 'percent']);

interface MonitoringPlan {
  formId: string;
  formTitle: string;
  fields: FormField[];
  periods: PeriodView[];
}

/**
 * Monitoring reports of a cycle and their dynamics («школа – муниципалитет – регион»). Every role that may read the
 * cycle sees it, within what the role may read: a municipality its schools, a school itself, the ministry, the
 * institute and auditors everything.
 */
@Injectable()
export class MonitoringService {
  constructor(
    private readonly cycles: CycleRepository,
    private readonly participants: CycleParticipantRepository,
    private readonly submissions: SubmissionRepository,
    private readonly tasks: TaskRepository,
    private readonly directory: DirectoryRepository,
    private readonly access: AccessPolicy,
  ) {}

  async dynamics(user: AuthUser, cycleId: string, indicator?: string): Promise<DynamicsView> {
    const cycle = await this.requireCycle(user, cycleId);
    const monitoring = monitoringPlan(cycle.plan);
    let fields = monitoring.fields;
    if (indicator !== undefined) {
      fields = fields.filter((f) => f.id === indicator);
      if (fields.length === 0) {
        throw new UnprocessableEntityException(
          `Показатель «${indicator}» не найден в форме мониторинга «${monitoring.formTitle}»; есть: ${monitoring.fields.map((f) => f.id).join(', ')}`,
        );
      }
    }
    const readable = await this.readableFilter(user);
    const reports = (await this.latestReports(cycle)).filter((r) => readable(r.subjectOrganizationId));
    const municipalityOf = await this.municipalityResolver(cycle.id, reports.map((r) => r.subjectOrganizationId));
    const order = new Map(monitoring.periods.map((p) => [p.id, p.order]));

    const inputs: MonitoringReportInput[] = reports
      .filter((r) => r.periodId !== null && order.has(r.periodId))
      .map((r) => ({
        organizationId: r.subjectOrganizationId,
        municipalityId: municipalityOf(r.subjectOrganizationId),
        periodId: r.periodId!,
        periodOrder: order.get(r.periodId!)!,
        values: numericValues(r.form, fields),
      }));
    const dynamics = computeDynamics(
      inputs,
      fields.map((f) => ({ id: f.id, higherIsBetter: f.higherIsBetter ?? true })),
    );

    const tasks = (await this.tasks.listCycleTasksOfAction(cycle.id, 'report')).filter((t) => readable(t.snapshot.context!.subjectOrganizationId));
    const names = await this.names([
      ...dynamics.schools.map((s) => s.organizationId),
      ...dynamics.municipalities.map((m) => m.municipalityId),
      ...tasks.map((t) => t.snapshot.context!.subjectOrganizationId),
    ]);
    const submittedKeys = new Set(inputs.map((r) => `${r.organizationId}\n${r.periodId}`));
    const now = Date.now();
    const reporting: PeriodReportingView[] = monitoring.periods.map((period) => {
      const ofPeriod = tasks.filter((t) => t.snapshot.context!.periodId === period.id && t.status !== 'cancelled');
      const missing: MissingReportView[] = [];
      const late: LateReportView[] = [];
      for (const { id, status, snapshot } of ofPeriod) {
        const organizationId = snapshot.context!.subjectOrganizationId;
        const organizationName = names.get(organizationId) ?? organizationId;
        const dueAt = snapshot.deadline.dueAt;
        if (status === 'open') {
          missing.push({ organizationId, organizationName, taskId: id, dueAt, overdue: Date.parse(dueAt) < now });
        } else if (snapshot.completedLate && snapshot.completedAt) {
          const lateByMs = Date.parse(snapshot.completedAt) - Date.parse(dueAt);
          late.push({
            organizationId,
            organizationName,
            taskId: id,
            dueAt,
            completedAt: snapshot.completedAt,
            lateBySeconds: Math.max(0, Math.ceil(lateByMs / 1000)),
          });
        }
      }
      const byName = (a: { organizationName: string }, b: { organizationName: string }) => a.organizationName.localeCompare(b.organizationName, 'ru');
      return {
        periodId: period.id,
        expected: ofPeriod.length,
        submitted: [...submittedKeys].filter((k) => k.endsWith(`\n${period.id}`)).length,
        missing: missing.sort(byName),
        late: late.sort(byName),
      };
    });

    return {
      cycleId: cycle.id,
      form: { id: monitoring.formId, title: monitoring.formTitle },
      indicators: fields.map((f) => ({ id: f.id, title: f.title, unit: f.unit, higherIsBetter: f.higherIsBetter ?? true })),
      periods: monitoring.periods,
      schools: dynamics.schools.map((s) => ({ ...s, organizationName: names.get(s.organizationId) ?? s.organizationId })),
      municipalities: dynamics.municipalities.map((m) => ({ ...m, municipalityName: names.get(m.municipalityId) ?? m.municipalityId })),
      reporting,
    };
  }

  async reports(user: AuthUser, cycleId: string, periodId?: string): Promise<ReportsView> {
    const cycle = await this.requireCycle(user, cycleId);
    const monitoring = monitoringPlan(cycle.plan);
    if (periodId !== undefined && !monitoring.periods.some((p) => p.id === periodId)) {
      throw new UnprocessableEntityException(
        `Период «${periodId}» не найден в плане мониторинга цикла; есть: ${monitoring.periods.map((p) => p.id).join(', ')}`,
      );
    }
    const readable = await this.readableFilter(user);
    const reports = (await this.submissions.listSubmissions({ cycleId: cycle.id, action: 'report' })).filter(
      (r) => readable(r.subjectOrganizationId) && (periodId === undefined || r.periodId === periodId),
    );
    const municipalityOf = await this.municipalityResolver(cycle.id, reports.map((r) => r.subjectOrganizationId));
    const names = await this.names(reports.map((r) => r.subjectOrganizationId));
    const lateness = await this.tasks.completedLateByIds(reports.map((r) => r.taskId));
    const periods = new Map(monitoring.periods.map((p) => [p.id, p]));
    const items = reports.map((r) => ({
      submissionId: r.id,
      taskId: r.taskId,
      organizationId: r.subjectOrganizationId,
      organizationName: names.get(r.subjectOrganizationId) ?? r.subjectOrganizationId,
      municipalityId: municipalityOf(r.subjectOrganizationId),
      periodId: r.periodId,
      periodTitle: r.periodId ? (periods.get(r.periodId)?.title ?? null) : null,
      version: r.version,
      values: r.form ?? {},
      comment: r.comment,
      submittedBy: r.submittedBy,
      submittedAt: iso(r.submittedAt),
      late: lateness.get(r.taskId) ?? null,
    }));
    const periodOrder = (id: string | null) => (id ? (periods.get(id)?.order ?? Number.MAX_SAFE_INTEGER) : 0);
    items.sort(
      (a, b) =>
        periodOrder(a.periodId) - periodOrder(b.periodId) ||
        a.organizationName.localeCompare(b.organizationName, 'ru') ||
        a.version - b.version,
    );
    return { cycleId: cycle.id, periods: monitoring.periods, items };
  }

  /** The cycle, if the user's role may read its region's cycles (auditors read every region). */
  private async requireCycle(user: AuthUser, cycleId: string): Promise<CycleRow> {
    const cycle = await this.cycles.findCycle(cycleId);
    if (!cycle) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    if (user.role !== 'auditor' && cycle.regionCode !== user.regionCode) {
      this.access.deny(user, 'Мониторинг цикла другого региона недоступен', { action: 'monitoring', cycleId });
    }
    return cycle;
  }

  private async readableFilter(user: AuthUser): Promise<(organizationId: string) => boolean> {
    const readable = await this.access.readableOrganizationIds(user);
    if (readable === 'all') return () => true;
    const ids = new Set(readable);
    return (id) => ids.has(id);
  }

  /** Each organisation's last report per period: a resubmission replaces the earlier one. */
  private async latestReports(cycle: CycleRow): Promise<SubmissionRow[]> {
    const rows = await this.submissions.listSubmissions({ cycleId: cycle.id, action: 'report' });
    return rows.sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime() || a.version - b.version);
  }

  /** A school's municipality as the approved list records it, else its parent in the directory. */
  private async municipalityResolver(cycleId: string, organizationIds: string[]): Promise<(id: string) => string> {
    const participants = new Map((await this.participants.listParticipants(cycleId)).map((p) => [p.schoolId, p.municipalityId]));
    const orgs = await this.directory.findOrganizations([...new Set(organizationIds)].filter((id) => !participants.has(id)));
    return (id) => {
      const listed = participants.get(id);
      if (listed) return listed;
      const org = orgs.get(id);
      return org?.kind === 'school' && org.parentId ? org.parentId : id;
    };
  }

  private async names(ids: string[]): Promise<Map<string, string>> {
    const orgs = await this.directory.findOrganizations([...new Set(ids)]);
    return new Map([...orgs].map(([id, org]) => [id, org.name]));
  }
}

/** The plan's monitoring: the form of its (first) monitoring step and every period of its monitoring steps in order. */
export function monitoringPlan(plan: ResolvedCyclePlan): MonitoringPlan {
  const steps = plan.stages.flatMap((s) => s.steps).filter((s) => s.kind === 'monitoring');
  const formId = steps.find((s) => s.monitoringForm)?.monitoringForm;
  const form = formId ? plan.forms[formId] : undefined;
  if (!formId || !form) throw new UnprocessableEntityException('В плане цикла нет этапа мониторинга с формой показателей');
  const periods: PeriodView[] = [];
  for (const step of steps) {
    for (const period of step.periods ?? []) {
      if (periods.some((p) => p.id === period.id)) continue;
      periods.push({ id: period.id, title: period.title, order: periods.length + 1, stepKey: step.key, dueLocal: period.dueLocal });
    }
  }
  return { formId, formTitle: form.title, fields: form.fields.filter((f) => NUMERIC_FIELD_TYPES.has(f.type)), periods };
}

function numericValues(form: Record<string, unknown> | null, fields: FormField[]): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const field of fields) {
    const value = form?.[field.id];
    values[field.id] = typeof value === 'number' && Number.isFinite(value) ? value : null;
  }
  return values;
}
