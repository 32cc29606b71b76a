/**
 * Plays every role of a yearly cycle through the HTTP API, as the officials would: it polls the cycle's open tasks and
 * acts on each as the organisation it is assigned to. Scripted deviations make the story an auditor must be able to
 * read: one municipality is late with its plan until it has been escalated, another's plan is returned with a remark
 * and resubmitted.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are JSON the driver picks apart */
import { DateTime } from 'luxon';
import type { DataSource } from 'typeorm';
import type { FormDefinition, FormField, ResolvedCyclePlan, ResolvedStep } from '../../libs/contracts/cycle-template';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { ApiClient } from './http';
import { REGION_PASSWORD, type TestRegion } from './cycle-region';

export interface DriverLog {
  lateTaskId?: string;
  /** Steps the roadmap left «по специальному графику»: how the cycle showed each before and after the date was set. */
  datesSet: { stepKey: string; before: any; after: any }[];
  returnedTaskId?: string;
  actions: { taskId: string; action: string; by: string; status: number }[];
}

export interface CycleDriverOptions {
  baseUrl: string;
  dataSource: DataSource;
  region: TestRegion;
  cycleId: string;
  plan: ResolvedCyclePlan;
  /** Give up after this long (ms). */
  timeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function uploadDocument(client: ApiClient, fileName: string, text: string): Promise<string> {
  const response = await fetch(`${client.baseUrl}/api/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent(fileName) },
    body: Buffer.from(`%PDF-1.4\n% ${text}\n`),
  });
  const body = (await response.json()) as any;
  if (response.status !== 201 && response.status !== 200) throw new Error(`document upload failed: ${response.status} ${JSON.stringify(body)}`);
  return body.id as string;
}

/** Values that satisfy the form: a number grows with `level`, so monitoring shows improvement where asked. */
export function sampleFormValues(form: FormDefinition, level = 0, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const value = (field: FormField): unknown => {
    switch (field.type) {
      case 'text':
        return `${field.title}: сведения`;
      case 'number':
      case 'integer':
      case 'percent': {
        const min = field.min ?? 0;
        const max = field.max ?? (field.type === 'percent' ? 100 : 1_000_000);
        const raw = Math.min(max, Math.max(min, 40 + level));
        return field.type === 'integer' ? Math.round(raw) : raw;
      }
      case 'date':
        return '2026-12-15';
      case 'boolean':
        return true;
      case 'choice':
        return field.options?.[0] ?? '';
      case 'table':
        return [Object.fromEntries((field.columns ?? []).map((c) => [c.id, value(c)]))];
      case 'group':
        return Object.fromEntries((field.fields ?? []).map((f) => [f.id, value(f)]));
    }
  };
  return { ...Object.fromEntries(form.fields.map((f) => [f.id, value(f)])), ...overrides };
}

export class CycleDriver {
  readonly log: DriverLog = { actions: [], datesSet: [] };
  private readonly clients = new Map<string, ApiClient>();
  private readonly done = new Set<string>();
  readonly plan: ResolvedCyclePlan;
  private readonly planStep: ResolvedStep | undefined;
  private readonly lateMunicipality: string;
  private readonly returnedMunicipality: string;

  constructor(private readonly o: CycleDriverOptions) {
    this.plan = o.plan;
    // The municipal plan: the first municipality step with a review by the ministry.
    this.planStep = this.steps().find((s) => s.actor === 'municipality' && s.kind === 'submission' && s.review?.by === 'ministry');
    this.lateMunicipality = o.region.municipalities[0].id;
    this.returnedMunicipality = o.region.municipalities[1]?.id ?? o.region.municipalities[0].id;
  }

  private steps(): ResolvedStep[] {
    return this.plan.stages.flatMap((s) => s.steps);
  }

  async client(email: string): Promise<ApiClient> {
    let client = this.clients.get(email);
    if (!client) {
      client = await new ApiClient(this.o.baseUrl).as(email, REGION_PASSWORD);
      this.clients.set(email, client);
    }
    return client;
  }

  /** Who acts for an organisation: the reviewer reviews for the ministry; the administrator does the rest. */
  private actorFor(organizationId: string, action: string): string {
    const r = this.o.region;
    if (organizationId === r.ministryId) return action === 'review' ? r.reviewer.email : r.admin.email;
    if (organizationId === r.instituteId) return r.curator.email;
    const municipality = r.municipalities.find((m) => m.id === organizationId);
    if (municipality) return municipality.coordinator.email;
    const school = r.schools.find((s) => s.id === organizationId);
    if (school) return school.director.email;
    throw new Error(`no one acts for ${organizationId}`);
  }

  async openTasks(): Promise<TaskSnapshot[]> {
    const rows: { snapshot: TaskSnapshot }[] = await this.o.dataSource.query(
      `SELECT snapshot FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1 ORDER BY created_at`,
      [this.o.cycleId],
    );
    return rows.map((r) => r.snapshot);
  }

  async cycleStatus(): Promise<string> {
    const rows: { status: string }[] = await this.o.dataSource.query(`SELECT status FROM cycles WHERE id = $1`, [this.o.cycleId]);
    return rows[0]?.status ?? 'missing';
  }

  private async escalationsSent(taskId: string): Promise<number> {
    const rows: { n: string }[] = await this.o.dataSource.query(
      `SELECT count(*) AS n FROM notifications WHERE task_id = $1 AND kind = 'escalation' AND status = 'sent'`,
      [taskId],
    );
    return Number(rows[0].n);
  }

  /** Runs until the cycle completes; throws with the open tasks when it does not in time. */
  async run(): Promise<void> {
    const deadline = Date.now() + this.o.timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.cycleStatus()) === 'completed') return;
      await this.setDatesLeftForLater();
      for (const task of await this.openTasks()) {
        if (this.done.has(task.taskId)) continue;
        if (await this.holdBack(task)) continue;
        await this.act(task);
      }
      await sleep(250);
    }
    const open = (await this.openTasks()).map((t) => `${t.taskId} (${t.context?.action})`);
    throw new Error(`cycle ${this.o.cycleId} did not complete in time; status ${await this.cycleStatus()}; open: ${open.join(', ')}`);
  }

  /**
   * The ministry sets the dates the roadmap left «по специальному графику», a little after now on the compressed
   * clock (the task's reminders then count from its issue).
   */
  private async setDatesLeftForLater(): Promise<void> {
    const pending = this.steps().filter((s) => s.deadlineSetLater !== undefined && !this.log.datesSet.some((d) => d.stepKey === s.key));
    if (pending.length === 0) return;
    const admin = await this.client(this.o.region.admin.email);
    const stepOf = (cycle: any, key: string) => cycle.stages.flatMap((s: any) => s.steps).find((s: any) => s.key === key);
    for (const step of pending) {
      const before = stepOf((await admin.get(`/api/cycles/${this.o.cycleId}`)).body, step.key);
      const dueAt = DateTime.now().setZone(this.plan.timeZone).plus({ seconds: 20 }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
      const set = await admin.post(`/api/cycles/${this.o.cycleId}/steps/${encodeURIComponent(step.key)}/deadline`, {
        dueAt,
        reason: 'Распоряжение министерства о графике (тест)',
      });
      if (set.status !== 200) throw new Error(`setting the date of ${step.key} failed: ${set.status} ${JSON.stringify(set.body)}`);
      this.log.datesSet.push({ stepKey: step.key, before, after: stepOf(set.body, step.key) });
    }
  }

  /** The late municipality answers only once both escalations (its head, then the ministry) have gone out. */
  private async holdBack(task: TaskSnapshot): Promise<boolean> {
    const c = task.context!;
    if (c.action !== 'submit' || c.stepKey !== this.planStep?.key || c.subjectOrganizationId !== this.lateMunicipality || (c.round ?? 1) > 1) {
      return false;
    }
    this.log.lateTaskId = task.taskId;
    return (await this.escalationsSent(task.taskId)) < 2;
  }

  private async act(task: TaskSnapshot): Promise<void> {
    const c = task.context!;
    const email = this.actorFor(task.assigneeOrganizationId, c.action);
    const client = await this.client(email);
    let response;
    switch (c.action) {
      case 'approve_list':
        // The list is approved through the identification API by the test itself.
        return;
      case 'perform':
        response = await client.post(`/api/tasks/${encodeURIComponent(task.taskId)}/submission`, { comment: 'Мероприятие проведено' });
        break;
      case 'submit':
      case 'report':
      case 'describe_practice':
        response = await client.post(`/api/tasks/${encodeURIComponent(task.taskId)}/submission`, await this.submission(client, task));
        break;
      case 'review': {
        const returnIt = c.stepKey === this.planStep?.key && c.subjectOrganizationId === this.returnedMunicipality && (c.round ?? 1) === 1;
        if (returnIt) this.log.returnedTaskId = task.taskId;
        response = await client.post(
          `/api/tasks/${encodeURIComponent(task.taskId)}/review`,
          returnIt
            ? { decision: 'returned', remarks: ['Не указаны сроки мероприятий по повышению квалификации учителей'] }
            : { decision: 'approved', comment: 'Утверждено' },
        );
        break;
      }
      case 'propose_pairs':
        response = await client.post(`/api/tasks/${encodeURIComponent(task.taskId)}/pairs`, { pairs: await this.pairs(client, c.subjectOrganizationId) });
        break;
      case 'confirm_agreement': {
        const isMunicipality = this.o.region.municipalities.some((m) => m.id === task.assigneeOrganizationId);
        const documentId = isMunicipality ? await uploadDocument(client, 'Соглашение о сетевом взаимодействии.pdf', task.taskId) : undefined;
        response = await client.post(`/api/tasks/${encodeURIComponent(task.taskId)}/confirm-agreement`, documentId ? { documentId } : {});
        break;
      }
    }
    this.log.actions.push({ taskId: task.taskId, action: c.action, by: email, status: response.status });
    if (response.status === 200 || response.status === 201) {
      this.done.add(task.taskId);
    } else if (response.status !== 409) {
      throw new Error(`${c.action} on ${task.taskId} as ${email}: ${response.status} ${response.text}`);
    }
  }

  private async submission(client: ApiClient, task: TaskSnapshot): Promise<Record<string, unknown>> {
    const c = task.context!;
    const body: Record<string, unknown> = { comment: 'Представлено' };
    if (c.document === 'required') body.documentId = await uploadDocument(client, `${task.title}.pdf`, task.taskId);
    if (c.formId) {
      const form = this.plan.forms[c.formId];
      if (c.action === 'report') {
        // Schools improve period after period, the first school of each municipality fastest.
        const step = this.steps().find((s) => s.key === c.stepKey);
        const periodIndex = step?.periods?.findIndex((p) => p.id === c.periodId) ?? 0;
        const schoolIndex = this.o.region.schools.findIndex((s) => s.id === c.subjectOrganizationId);
        body.form = sampleFormValues(form, periodIndex * (schoolIndex % 3 === 0 ? 8 : 2) + schoolIndex);
      } else if (c.action === 'describe_practice') {
        body.form = sampleFormValues(form, 0, practiceText(form));
      } else {
        body.form = sampleFormValues(form);
      }
    }
    if ((c.round ?? 1) > 1) {
      const versions = await client.get(
        `/api/cycles/${encodeURIComponent(c.cycleId)}/steps/${encodeURIComponent(c.stepKey)}/subjects/${encodeURIComponent(c.subjectOrganizationId)}/versions`,
      );
      const open = (versions.body?.remarks ?? []).filter((r: any) => r.status === 'open');
      body.remarkAnswers = open.map((r: any) => ({ remarkId: r.id, answer: 'Сроки указаны в разделе 3 плана' }));
    }
    return body;
  }

  private async pairs(client: ApiClient, municipalityId: string): Promise<{ schoolId: string; partnerSchoolId: string }[]> {
    const participants = await client.get(`/api/cycles/${encodeURIComponent(this.o.cycleId)}/participants`);
    const mine = (participants.body?.items ?? participants.body ?? []).filter(
      (p: any) => p.municipalityId === municipalityId && p.included !== false,
    );
    const taken = new Set<string>();
    const pairs: { schoolId: string; partnerSchoolId: string }[] = [];
    for (const p of mine) {
      const suggestions = await client.get(
        `/api/cycles/${encodeURIComponent(this.o.cycleId)}/partners/suggestions?schoolId=${encodeURIComponent(p.schoolId)}`,
      );
      const list: any[] = suggestions.body?.items ?? suggestions.body ?? [];
      const pick = list.find((s) => !taken.has(s.schoolId ?? s.organizationId)) ?? list[0];
      if (!pick) throw new Error(`no partner suggested for ${p.schoolId}: ${suggestions.status} ${suggestions.text}`);
      const partnerId = pick.schoolId ?? pick.organizationId;
      taken.add(partnerId);
      pairs.push({ schoolId: p.schoolId, partnerSchoolId: partnerId });
    }
    return pairs;
  }
}

/** A practice the bank's search can find by a Russian word form other than the one written. */
function practiceText(form: FormDefinition): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of form.fields) {
    if (field.type !== 'text') continue;
    if (/title|назв/i.test(field.id)) values[field.id] = 'Наставничество педагогов в сельской школе';
    else if (/keyword/i.test(field.id)) values[field.id] = 'наставничество, методическое объединение';
    else values[field.id] = 'Пары «опытный учитель — молодой учитель» и еженедельные открытые уроки с разбором';
  }
  return values;
}
