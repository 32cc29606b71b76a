import { Injectable, NotFoundException } from '@nestjs/common';
import {
  DEFAULT_MIN_ASSESSED_TASKS,
  rankLatenessRisk,
  type LatenessRiskMunicipality,
  type LatenessRiskTask,
} from '../../../libs/domain/analytics';
import {
  CycleRepository,
  DirectoryRepository,
  NotificationOutboxRepository,
  TaskRepository,
  type CycleRow,
  type OrganizationEntity,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';
import { mapLatenessRisk, type LatenessRiskView } from './lateness-risk.dto';

/** Roles that read the whole region's ranking; the route admits municipal coordinators too, for their own row. */
export const LATENESS_RISK_REGION_READERS: readonly Role[] = ['ministry_admin', 'ministry_reviewer', 'institute_curator', 'auditor'];

/**
 * «Муниципалитеты с наибольшим риском просрочек» on the cycle's dashboard: gathers each municipality's record in the
 * cycle (its tasks and its schools', their deadlines, completions and escalations) and ranks it with the pure
 * `rankLatenessRisk` (libs/domain/analytics, where the score is documented).
 *
 * Who sees what: the ministry, the institute and auditors (any region, as they read every cycle) the whole ranking; a
 * municipal coordinator only its own row — with its rank among all of the region's municipalities, but nothing of
 * the others, whose records are not its to read; a school is refused by the route.
 */
@Injectable()
export class LatenessRiskService {
  constructor(
    private readonly cycles: CycleRepository,
    private readonly directory: DirectoryRepository,
    private readonly tasks: TaskRepository,
    private readonly outbox: NotificationOutboxRepository,
    private readonly access: AccessPolicy,
  ) {}

  async ranking(user: AuthUser, cycleId: string, minTasks: number = DEFAULT_MIN_ASSESSED_TASKS, now = new Date()): Promise<LatenessRiskView> {
    const cycle = await this.requireCycle(user, cycleId);
    const [municipalities, taskRows, escalations] = await Promise.all([
      this.directory.listOrganizations({ regionCode: cycle.regionCode, kind: 'municipality' }),
      this.tasks.listCycleTaskDeadlines(cycle.id),
      this.outbox.escalationCountsOfCycle(cycle.id),
    ]);
    const assignees = await this.directory.findOrganizations([...new Set(taskRows.map((t) => t.assigneeOrganizationId))]);
    const inputs = new Map<string, LatenessRiskMunicipality>(
      municipalities.map((m) => [m.id, { municipalityId: m.id, name: m.name, tasks: [] }]),
    );
    for (const row of taskRows) {
      const municipalityId = municipalityOf(assignees.get(row.assigneeOrganizationId));
      const input = municipalityId ? inputs.get(municipalityId) : undefined;
      // The ministry's and the institute's tasks (and any outside the region's municipalities) are on no row.
      if (!input) continue;
      const task: LatenessRiskTask = {
        taskId: row.id,
        status: row.status,
        dueAt: row.dueAt.toISOString(),
        completedAt: row.status === 'completed' && row.closedAt ? row.closedAt.toISOString() : null,
        timeZone: row.timeZone,
        escalations: escalations.get(row.id) ?? 0,
      };
      input.tasks.push(task);
    }

    const rows = rankLatenessRisk([...inputs.values()], { asOf: now.toISOString(), minAssessedTasks: minTasks });
    const regionWide = LATENESS_RISK_REGION_READERS.includes(user.role);
    let visible = rows;
    if (!regionWide) {
      const readable = await this.access.readableOrganizationIds(user);
      visible = readable === 'all' ? rows : rows.filter((r) => readable.includes(r.municipalityId));
    }
    return mapLatenessRisk({
      cycleId: cycle.id,
      asOf: now,
      scope: regionWide ? 'region' : 'own_municipality',
      minAssessedTasks: minTasks,
      ranked: rows.length,
      rows: visible,
    });
  }

  /** The cycle, if the user's role may read its region's cycles (auditors read every region). */
  private async requireCycle(user: AuthUser, cycleId: string): Promise<CycleRow> {
    const cycle = await this.cycles.findCycle(cycleId);
    if (!cycle) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    if (user.role !== 'auditor' && cycle.regionCode !== user.regionCode) {
      this.access.deny(user, 'Риск просрочек по муниципалитетам цикла другого региона недоступен', { action: 'lateness_risk', cycleId });
    }
    return cycle;
  }
}

/** Where a task's delay belongs: a municipality's own task to it, a school's to the school's municipality. */
function municipalityOf(org: OrganizationEntity | undefined): string | undefined {
  if (!org) return undefined;
  if (org.kind === 'municipality') return org.id;
  if (org.kind === 'school') return org.parentId ?? undefined;
  return undefined;
}
