/**
 * The access matrix, generated from the route table (test/support/route-table.ts), so that a new endpoint is in it
 * without a test of its own: every route × every role (test region people, see test/support/cycle-region.ts, and an
 * anonymous client) × the caller's own organisation and another one. The other organisation is, for a school,
 * a school of another municipality; for a municipal coordinator, another municipality; for the ministry's people,
 * the institute's curator and the auditor, the same organisation of another region. Each route's parameters (path,
 * query, JSON body, upload) are filled with the target organisation's own resources: its id, a task assigned to it,
 * a document it uploaded, a person of it, an extension request of its region.
 *
 * Checked, cell by cell:
 * - every route declares its access rule (@Public, @Roles or @AnyLoggedIn with a scope); one without fails;
 * - an anonymous client gets 401 on every route but the public ones;
 * - a role outside a route's @Roles gets 403; an auditor gets 403 on every write (but @ChangesNothing);
 * - no role but the auditor reads or writes another organisation's data: never a 2xx, and a read is refused with
 *   403 or 404 (never answered with the other's data); a municipality's or a school's 2xx answers name none of the
 *   other organisations;
 * - every refusal (401, 403, 404) is Russian and logged (an `AccessDenied` warning), and every 403 of a logged-in
 *   person is in the audit log as `access_denied`; never a 5xx.
 * The matrix, with each cell's status and verdict, is written to test-output/access-matrix.json.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoggerService } from '@nestjs/common';
import { AccessPolicy } from '../../apps/api/auth/access-policy.service';
import { ROLES, type Role } from '../../apps/api/auth/roles';
import { endMatrixCycle, launchMatrixCycle, type CycleResources, type MatrixCycle } from '../support/access-matrix-cycle';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { ApiClient } from '../support/http';
import { holdsShape } from '../support/hostile-routes';
import { exampleOf } from '../support/hostile-values';
import { fillPath, loadRouteTable, queryString, type Route } from '../support/route-table';
import { uniqueSuffix } from '../support/test-config';

type Caller = Role | 'anonymous';
type Scope = 'own' | 'other';

/** One organisation's resources, the values a route's parameters are filled with. */
interface Target extends CycleResources {
  organizationId: string;
  regionCode: string;
  taskId: string;
  documentId: string;
  personId: string;
  /** A substitution of one of its people (a future one, so that it changes no one's mail meanwhile). */
  substitutionId: string;
  /** Undefined where the organisation may not ask (it is no task's assignee that may). */
  extensionRequestId?: string;
  /** Its region's launched cycle. */
  cycle: MatrixCycle;
}

interface Cell {
  route: string;
  caller: Caller;
  scope: Scope;
  /** Whether the request differs between the own and the other organisation (routes without parameters do not). */
  targeted: boolean;
  status: number;
  /** How long the answer took. */
  ms: number;
  /** `unchecked`: the cell says nothing about the rule; `reason` says why. */
  verdict: 'ok' | 'violation' | 'unchecked';
  rule: string;
  violations: string[];
  reason?: string;
  /** Parameters filled with a stand-in rather than a resource of the kind the route takes, and why. */
  standIns?: string[];
}

const CAPTURED: string[] = [];

/** Keeps the API's `AccessDenied` lines for the checks (and off the test's output); everything else goes to stderr. */
class CapturingLogger implements LoggerService {
  private capture(level: string, message: unknown, params: unknown[]): void {
    const context = params[params.length - 1];
    if (context === 'AccessDenied') CAPTURED.push(String(message));
    else if (level !== 'log') process.stderr.write(`[${level}] ${String(context ?? '')} ${String(message)}\n`);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.capture('log', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.capture('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.capture('error', message, params);
  }
}

const suffix = uniqueSuffix();
let stack: ApiStack;
let regionA: TestRegion;
let regionB: TestRegion;
let cycleA: MatrixCycle | undefined;
let cycleB: MatrixCycle | undefined;
const clients = new Map<Caller, ApiClient>();
const personIds = new Map<Role, string>();
const emails = new Map<Role, string>();
const targets = new Map<string, Target>();
/** How long the fixtures took (the stack, both regions, both cycles to their plans stage, every target's resources). */
let setupMs = 0;

/** The region's people who act for each role in the matrix. */
function roleEmails(region: TestRegion): Record<Role, string> {
  return {
    ministry_admin: region.admin.email,
    ministry_reviewer: region.reviewer.email,
    institute_curator: region.curator.email,
    municipal_coordinator: region.municipalities[0].coordinator.email,
    school: region.schools[0].director.email,
    auditor: region.auditor.email,
  };
}

/** Whose data a role's own and other cells reach. */
function targetOrganizations(role: Role): Record<Scope, string> {
  switch (role) {
    case 'ministry_admin':
    case 'ministry_reviewer':
    case 'auditor':
      return { own: regionA.ministryId, other: regionB.ministryId };
    case 'institute_curator':
      return { own: regionA.instituteId, other: regionB.instituteId };
    case 'municipal_coordinator':
      return { own: regionA.municipalities[0].id, other: regionA.municipalities[1].id };
    case 'school':
      // A school of another municipality.
      return { own: regionA.schools[0].id, other: otherSchool().id };
  }
}

/** The school the first school's cells reach as another's: the first of the second municipality. */
function otherSchool(): TestRegion['schools'][number] {
  return regionA.schools.find((s) => s.municipalityId === regionA.municipalities[1].id)!;
}

/**
 * What an answer to the role must never name: the organisations outside its scope and their tasks and documents.
 * Empty for the auditor, who reads everything.
 */
function foreignMarkers(role: Role): string[] {
  const regionBOrgs = [regionB.ministryId, regionB.instituteId, ...regionB.municipalities.map((m) => m.id), ...regionB.schools.map((s) => s.id)];
  const orgs =
    role === 'auditor'
      ? []
      : role === 'municipal_coordinator' || role === 'school'
        ? [
            ...regionA.municipalities.slice(1).map((m) => m.id),
            ...regionA.schools.filter((s) => s.municipalityId !== regionA.municipalities[0].id).map((s) => s.id),
            ...regionBOrgs,
          ]
        : regionBOrgs;
  return orgs.flatMap((id) => {
    const target = targets.get(id);
    const cycle = target ?? [cycleA, cycleB].map((c) => c?.resources.get(id)).find(Boolean);
    return [id, target?.taskId, target?.documentId, cycle?.submitTaskId, cycle?.reviewTaskId, cycle?.remarkId].filter((v): v is string => Boolean(v));
  });
}

async function login(email: string): Promise<ApiClient> {
  return stack.anonymous.as(email, REGION_PASSWORD);
}

function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function upload(client: ApiClient, organizationId: string): Promise<string> {
  const response = await fetch(`${stack.baseUrl}/api/documents?organizationId=${encodeURIComponent(organizationId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${client.token!}`, 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent('Документ.pdf') },
    body: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`upload for ${organizationId}: ${response.status} ${text}`);
  return (JSON.parse(text) as { id: string }).id;
}

beforeAll(async () => {
  const setupStarted = Date.now();
  // Every cell of a role logs in anew after a log-out: no rate limit or lock-out may get in the way.
  stack = await startApiStack(`access-matrix-${suffix}`, {
    loginProtection: { perAddressPerMinute: 1_000_000, perAccountPerMinute: 1_000_000, maxFailures: 1_000_000, failureWindowSeconds: 60, lockoutSeconds: 1 },
  });
  stack.app.useLogger(new CapturingLogger());
  const ds = stack.harness.dataSource;
  const code = suffix.slice(-8);
  // Three municipalities of two schools: own and another's cells, and a third whose plan waits for the ministry's review.
  regionA = await createTestRegion(ds, { code: `ma${code}`, timeZone: 'Asia/Yekaterinburg', municipalities: 3, schoolsPerMunicipality: 2 });
  regionB = await createTestRegion(ds, { code: `mb${code}`, timeZone: 'Europe/Moscow', municipalities: 1, schoolsPerMunicipality: 1 });

  clients.set('anonymous', stack.anonymous);
  for (const [role, email] of Object.entries(roleEmails(regionA)) as [Role, string][]) {
    clients.set(role, await login(email));
    emails.set(role, email);
    const [row] = (await ds.query(`SELECT id FROM people WHERE email = $1`, [email])) as { id: string }[];
    personIds.set(role, row.id);
  }

  // Every organisation a cell may aim at, with a task assigned to it, a document it uploaded and a person without a
  // log-in (so that a password set or a log-in closed by a cell never locks a caller of the matrix out).
  const adminA = clients.get('ministry_admin')!;
  const adminB = await login(regionB.admin.email);
  const uploaders: [string, ApiClient][] = [
    [regionA.ministryId, adminA],
    [regionA.instituteId, clients.get('institute_curator')!],
    [regionA.municipalities[0].id, clients.get('municipal_coordinator')!],
    [regionA.municipalities[1].id, await login(regionA.municipalities[1].coordinator.email)],
    [regionA.schools[0].id, clients.get('school')!],
    [otherSchool().id, await login(otherSchool().director.email)],
    [regionB.ministryId, adminB],
    [regionB.instituteId, await login(regionB.curator.email)],
  ];
  // Each region's cycle, launched (four eyes) and brought to its plans stage. Region A: the own and the other
  // municipality's plans and schools' programmes returned with a remark (a second round open for each), the others'
  // under review (a review task for each municipality and the ministry). Region B: under review.
  const actorsOf = async (region: TestRegion, known: Map<string, ApiClient>) => {
    const people = [...region.municipalities.map((m) => [m.id, m.coordinator.email]), ...region.schools.map((s) => [s.id, s.director.email])];
    for (const [id, email] of people) if (!known.has(id)) known.set(id, await login(email));
    return (organizationId: string) => {
      const client = known.get(organizationId);
      if (!client) throw new Error(`no one acts for ${organizationId}`);
      return client;
    };
  };
  const reviewerA = await login(regionA.reviewer.email);
  const reviewerB = await login(regionB.reviewer.email);
  const actorsA = await actorsOf(regionA, new Map(uploaders.filter(([id]) => !id.startsWith(regionB.code))));
  const actorsB = await actorsOf(regionB, new Map());
  const [mun1, mun2, mun3] = regionA.municipalities.map((m) => m.id);
  const firstSchoolOf = (id: string) => regionA.schools.filter((s) => s.municipalityId === id).map((s) => s.id);
  [cycleA, cycleB] = await Promise.all([
    launchMatrixCycle(ds, regionA, { admin: adminA, reviewer: reviewerA, forOrganization: actorsA }, {
      returned: [mun1, mun2, firstSchoolOf(mun1)[0], firstSchoolOf(mun2)[0]],
      pending: [mun3, firstSchoolOf(mun1)[1], firstSchoolOf(mun2)[1]],
    }),
    launchMatrixCycle(ds, regionB, { admin: adminB, reviewer: reviewerB, forOrganization: actorsB }, {
      pending: [regionB.municipalities[0].id, regionB.schools[0].id],
    }),
  ]);

  // Side by side: each organisation's resources are independent of the others'.
  await Promise.all(uploaders.map(async ([organizationId, uploader]) => {
    const inB = organizationId.startsWith(regionB.code);
    const admin = inB ? adminB : adminA;
    const task = await admin.post('/api/tasks', {
      id: `matrix-${organizationId}-${suffix}`,
      title: `Задача матрицы доступа для ${organizationId}`,
      assigneeOrganizationId: organizationId,
      dueAt: futureDate(30),
      // The ministry cannot supervise its own task: its institute does here.
      ...(organizationId.endsWith('-ministry') ? { supervisorOrganizationId: inB ? regionB.instituteId : regionA.instituteId } : {}),
    });
    if (task.status !== 201) throw new Error(`task for ${organizationId}: ${task.status} ${task.text}`);
    const [person] = (await ds.query(
      `INSERT INTO people (organization_id, full_name, email) VALUES ($1, 'Цель Матрицы Доступа', $2) RETURNING id`,
      [organizationId, `target.${organizationId}@matrix.region.test`],
    )) as { id: string }[];
    const [deputy] = (await ds.query(
      `INSERT INTO people (organization_id, full_name, email) VALUES ($1, 'Заместитель Цели Матрицы', $2) RETURNING id`,
      [organizationId, `deputy.${organizationId}@matrix.region.test`],
    )) as { id: string }[];
    const [substitution] = (await ds.query(
      `INSERT INTO substitutions (person_id, deputy_person_id, starts_on, ends_on, reason, created_by)
       VALUES ($1, $2, $3, $4, 'Отпуск (матрица доступа)', 'matrix@region.test') RETURNING id`,
      [person.id, deputy.id, futureDate(300), futureDate(310)],
    )) as { id: string }[];
    const request = await uploader.post(`/api/tasks/${encodeURIComponent(task.body.id as string)}/extension-requests`, {
      dueAt: futureDate(45),
      reason: 'Проверка матрицы доступа: просим продлить срок',
    });
    const cycle = inB ? cycleB! : cycleA!;
    targets.set(organizationId, {
      ...cycle.resources.get(organizationId),
      organizationId,
      regionCode: inB ? regionB.code : regionA.code,
      taskId: task.body.id as string,
      documentId: await upload(uploader, organizationId),
      personId: person.id,
      substitutionId: substitution.id,
      // Only an assignee may ask; where it may not, there is no request of this organisation to aim at.
      extensionRequestId: request.status === 201 ? (request.body.id as string) : undefined,
      cycle,
    });
  }));
  setupMs = Date.now() - setupStarted;
});

afterAll(async () => {
  // The cycles' workflows end so that they stop on the shared server.
  if (stack) await Promise.all([cycleA, cycleB].map((c) => endMatrixCycle(c, stack.harness.env.client)));
  await stack?.close();
});

interface CellRequest {
  url: string;
  init: RequestInit & { headers: Record<string, string> };
  /** Whether any parameter named the target's data (routes without such parameters send the same for both scopes). */
  targeted: boolean;
  /** Parameters aimed at a resource the target does not have: no fixture of that kind exists, and why. */
  missing: string[];
  /** Parameters filled with another of the target's resources than the kind the route takes, and why. */
  standIns: string[];
}

/** No such resource: the id of nothing, for a parameter the fixtures cannot fill. */
const NOTHING = '00000000-0000-4000-8000-000000000000';

/** The route's parameters filled with the target's resources. */
function requestFor(route: Route, target: Target): CellRequest {
  let targeted = false;
  const missing: string[] = [];
  const standIns: string[] = [];
  const use = <T>(value: T): T => {
    targeted = true;
    return value;
  };
  const { cycle } = target;
  const taskFor = (): string => {
    if (route.path.endsWith('/submission')) {
      if (target.submitTaskId) return use(target.submitTaskId);
      standIns.push('id: the organisation has no cycle task asking it to submit; its own task stands in');
    } else if (route.path.endsWith('/review')) {
      if (target.reviewTaskId) return use(target.reviewTaskId);
      standIns.push('id: the organisation has no review task; its own task stands in');
    } else if (route.path.endsWith('/pairs') || route.path.endsWith('/confirm-agreement')) {
      standIns.push('taskId: the cycle is at its plans stage, before any partnership task; the organisation\'s own task stands in');
    }
    return use(target.taskId);
  };
  const valueFor = (name: string): string | undefined => {
    if (/^(organizationId|schoolId|parentId|assigneeOrganizationId|supervisorOrganizationId)$/.test(name)) return use(target.organizationId);
    if (name === 'taskId') return taskFor();
    if (name === 'personId' || name === 'curatorPersonId') return use(target.personId);
    if (name === 'cycleId') return use(cycle.cycleId);
    if (name === 'documentId') return use(target.documentId);
    if (name === 'regionCode') return use(target.regionCode);
    if (name === 'workflowId') return use(`task:${target.taskId}`);
    if (name === 'stageId') return use(cycle.stageId);
    if (name === 'stepKey') return use(route.path.endsWith('/deadline') ? cycle.deadlineStepKey : (target.stepKey ?? cycle.deadlineStepKey));
    if (name === 'remarkId') {
      if (target.remarkId) return use(target.remarkId);
      missing.push('remarkId: the organisation has no remark');
      return NOTHING;
    }
    return undefined;
  };
  const idFor = (): string => {
    if (route.path.startsWith('/api/tasks/')) return taskFor();
    if (route.path.startsWith('/api/organizations/')) return use(target.organizationId);
    if (route.path.startsWith('/api/documents/')) return use(target.documentId);
    if (route.path.startsWith('/api/extension-requests/')) {
      if (target.extensionRequestId) return use(target.extensionRequestId);
      missing.push('id: the organisation is assignee of no task it may ask to extend');
      return NOTHING;
    }
    if (route.path.startsWith('/api/substitutions/')) return use(target.substitutionId);
    if (route.path.startsWith('/api/cycles/{cycleId}/curators/')) return use(cycle.curatorshipId);
    if (route.path.startsWith('/api/cycles/{id}')) return use(cycle.cycleId);
    if (route.path.startsWith('/api/cycle-actions/')) return use(cycle.pendingActionId);
    if (route.path.startsWith('/api/templates/')) return 'default';
    if (route.path.startsWith('/api/practices/')) {
      missing.push('id: no best practice is published before the cycle\'s last stage, which the matrix\'s cycles do not reach');
      return NOTHING;
    }
    missing.push(`id: no fixture for ${route.path}`);
    return NOTHING;
  };
  const pathValues: Record<string, string> = {};
  for (const param of route.pathParams) {
    pathValues[param.name] =
      param.name === 'id' ? idFor() : (valueFor(param.name) ?? (param.name === 'kind' ? 'results' : String(exampleOf(param.schema, param.name) ?? 'x')));
  }
  const query: Record<string, unknown> = {};
  const scoped = route.query.some((q) => q.name === 'scope' && q.schema.enum?.includes('organization'));
  for (const param of route.query) {
    if (scoped && param.name === 'scope') query.scope = 'organization';
    else if (scoped && param.name === 'id') query.id = use(target.organizationId);
    else if (param.name === 'from' && target.versions?.length) query.from = target.versions[0];
    else if (param.name === 'to' && target.versions?.length) query.to = target.versions[target.versions.length - 1];
    else {
      const value = valueFor(param.name);
      if (value !== undefined) query[param.name] = value;
      else if (param.required) query[param.name] = exampleOf(param.schema, param.name);
    }
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: RequestInit['body'];
  if (route.uploadTypes.length) {
    const csv = route.uploadTypes.includes('text/csv');
    headers['content-type'] = csv ? 'text/csv' : route.uploadTypes[0];
    headers['x-file-name'] = encodeURIComponent(csv ? 'результаты.csv' : 'Документ.pdf');
    body = csv ? 'Код ОО;Название\n000101;Школа\n' : Buffer.from('%PDF-1.4\n%%EOF\n');
    if (route.query.some((q) => q.name === 'organizationId')) query.organizationId = use(target.organizationId);
  } else if (route.path.endsWith('/submission') && target.submitTaskId && target.submitBody) {
    // The task's own valid submission: only the access rule stands between the caller and storing it.
    body = JSON.stringify(target.submitBody);
    headers['content-type'] = 'application/json';
  } else if (route.body) {
    const replace = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(replace);
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, typeof inner === 'string' ? (valueFor(key) ?? inner) : replace(inner)]));
      }
      return value;
    };
    body = JSON.stringify(replace(exampleOf(route.body)));
    headers['content-type'] = 'application/json';
  } else if (route.method !== 'GET' && route.method !== 'DELETE') {
    body = '{}';
    headers['content-type'] = 'application/json';
  }
  return {
    url: `${stack.baseUrl}${fillPath(route, pathValues)}${queryString(query)}`,
    init: { method: route.method, headers, body },
    targeted,
    missing,
    standIns,
  };
}

/** The route as Fastify names it in the guard's log line: `/api/tasks/:id`. */
function nestPattern(route: Route): string {
  return route.path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

async function deniedRows(personId: string): Promise<number> {
  await stack.app.get(AccessPolicy).flushAudit();
  const [row] = (await stack.harness.dataSource.query(
    `SELECT count(*)::int AS n FROM audit_events WHERE type = 'access_denied' AND subject_type = 'person' AND subject_id = $1`,
    [personId],
  )) as { n: number }[];
  return row.n;
}

/** A cell that checks nothing, with the reason. */
function unchecked(route: Route, caller: Caller, scope: Scope, reason: string): Cell {
  return { route: route.name, caller, scope, targeted: false, status: 0, ms: 0, verdict: 'unchecked', rule: 'none', violations: [], reason };
}

/** Reads first, then writes aimed at others, then writes at one's own, and the session's end last of all. */
function order(route: Route, scope: Scope): number {
  if (route.path.startsWith('/api/auth/')) return 4;
  if (route.method === 'GET') return 0;
  return scope === 'other' ? 1 : 2;
}

it('refuses every role what its access rule does not give it, in Russian and logged, and never shows another organisation', async () => {
  const { routes } = await loadRouteTable(stack.app);
  const cells: Cell[] = [];
  const undeclared = routes.filter((r) => r.access.kind === 'undeclared').map((r) => r.name);
  const callers: Caller[] = ['anonymous', ...ROLES];
  const plan: { route: Route; caller: Caller; scope: Scope }[] = [];
  for (const route of routes) {
    for (const caller of callers) {
      for (const scope of ['own', 'other'] as Scope[]) {
        if (caller === 'anonymous' && scope === 'other') {
          cells.push(unchecked(route, caller, scope, 'an anonymous client has no organisation: its one cell is the own one'));
          continue;
        }
        plan.push({ route, caller, scope });
      }
    }
  }
  plan.sort((a, b) => order(a.route, a.scope) - order(b.route, b.scope));

  const cellsStarted = Date.now();
  const runCell = async ({ route, caller, scope }: (typeof plan)[number]): Promise<void> => {
    const role = caller === 'anonymous' ? undefined : caller;
    const orgs = role ? targetOrganizations(role) : { own: regionA.ministryId, other: regionA.ministryId };
    const target = targets.get(orgs[scope])!;
    const { url, init, targeted, missing, standIns } = requestFor(route, target);
    if (scope === 'other' && !targeted) {
      cells.push(
        unchecked(route, caller, scope, "no parameter names an organisation's data: the request is the own cell's, whose answer is scanned for other organisations' ids"),
      );
      return;
    }
    const client = clients.get(caller)!;
    if (client.token) init.headers.authorization = `Bearer ${client.token}`;
    const deniedBefore = role ? await deniedRows(personIds.get(role)!) : 0;
    const logBefore = CAPTURED.length;
    const sentAt = Date.now();
    const response = await fetch(url, init);
    const text = await response.text();
    const ms = Date.now() - sentAt;
    const status = response.status;
    const violations: string[] = [];
    const rules: string[] = [];
    const shape = holdsShape({ status, text, contentType: response.headers.get('content-type') ?? '' });
    if (shape) violations.push(shape);

    if (caller === 'anonymous') {
      if (route.access.kind !== 'public') {
        rules.push('anonymous: 401');
        if (status !== 401) violations.push(`anonymous answered ${status}, not 401`);
      }
    } else if (route.access.kind !== 'public') {
      if (route.access.kind === 'roles' && !route.access.roles.includes(caller)) {
        rules.push(`@Roles(${route.access.roles.join(', ')}): 403`);
        if (status !== 403) violations.push(`${caller} is outside @Roles but answered ${status}, not 403`);
      }
      if (caller === 'auditor' && route.writes) {
        rules.push('auditor writes nothing: 403');
        if (status !== 403) violations.push(`the auditor's write answered ${status}, not 403`);
      }
      const named = status < 300 ? foreignMarkers(caller).filter((id) => text.includes(`"${id}"`)) : [];
      if (named.length) violations.push(`${caller}'s answer names what lies outside its scope: ${named.join(', ')}`);
      if (scope === 'other' && caller !== 'auditor') {
        if (route.method === 'GET') {
          // A list filtered by another organisation may answer 200 with nothing of it (checked just above).
          rules.push("another's data: 403, 404, or a 2xx naming nothing of it");
          if (status >= 300 && status !== 403 && status !== 404) violations.push(`${caller} reading another organisation's data answered ${status}, not 403 or 404`);
        } else {
          rules.push("another's data: no 2xx");
          if (status < 300) violations.push(`${caller} got ${status} writing another organisation's data (${target.organizationId})`);
        }
      }
    }
    if (status === 401 || status === 403 || status === 404) {
      // Callers run side by side: a refusal's line is the one naming this person, or (401) this route.
      const mark = status === 401 || !role ? `refused without a valid log-in: ${route.method} ${nestPattern(route)}:` : `refused person ${personIds.get(role)!} `;
      const logged = CAPTURED.slice(logBefore).filter((line) => line.includes(mark));
      if (logged.length === 0) violations.push(`the refusal ${status} was not logged`);
      if (status === 403 && role && (await deniedRows(personIds.get(role)!)) <= deniedBefore) {
        violations.push('the 403 is not in the audit log as access_denied');
      }
    }
    // A log-out, a password change or a closed log-in ends the caller's session: log in again for the next cells.
    if (role && (status < 300 || status === 401) && (route.path.startsWith('/api/auth/') || route.path.includes('/people/'))) {
      clients.set(role, await login(emails.get(role)!));
    }
    // A parameter aimed at nothing makes the answer a 404 that says nothing about the rule, unless a guard refuses first
    // (anonymous, outside @Roles, an auditor's write): those rules do not read the resource.
    const guarded = rules.some((r) => r.startsWith('anonymous') || r.startsWith('@Roles') || r.startsWith('auditor'));
    const verdict = violations.length ? 'violation' : missing.length && !guarded ? 'unchecked' : 'ok';
    cells.push({
      route: route.name,
      caller,
      scope,
      targeted,
      status,
      ms,
      verdict,
      rule: rules.join('; ') || 'no refusal required',
      violations,
      ...(verdict === 'unchecked' ? { reason: `no fixture: ${missing.join('; ')}` } : {}),
      ...(standIns.length ? { standIns } : {}),
    });
  };
  // Each caller's cells in order, the callers side by side (the machine has two cores; each cell waits on the API).
  await Promise.all(
    callers.map(async (caller) => {
      for (const cell of plan.filter((p) => p.caller === caller)) await runCell(cell);
    }),
  );
  cells.sort((a, b) => a.route.localeCompare(b.route) || callers.indexOf(a.caller) - callers.indexOf(b.caller) || a.scope.localeCompare(b.scope));

  const violating = cells.filter((c) => c.verdict === 'violation');
  const notChecked = cells.filter((c) => c.verdict === 'unchecked');
  const reasons = new Map<string, number>();
  for (const c of notChecked) reasons.set(c.reason!, (reasons.get(c.reason!) ?? 0) + 1);
  const size = {
    routes: routes.length,
    callers: callers.length,
    scopes: 2,
    planned: routes.length * callers.length * 2,
    checked: cells.length - notChecked.length,
    unchecked: notChecked.length,
    uncheckedByReason: Object.fromEntries(reasons),
    checkedWithStandIn: cells.filter((c) => c.verdict !== 'unchecked' && c.standIns).length,
    refusals: cells.filter((c) => [401, 403, 404].includes(c.status)).length,
    violations: violating.length,
    setupSeconds: Math.round(setupMs / 100) / 10,
    cellsSeconds: Math.round((Date.now() - cellsStarted) / 100) / 10,
  };
  mkdirSync('test-output', { recursive: true });
  writeFileSync(
    path.join('test-output', 'access-matrix.json'),
    `${JSON.stringify(
      {
        size,
        undeclared,
        unchecked: notChecked.map((c) => ({ route: c.route, caller: c.caller, scope: c.scope, reason: c.reason })),
        routes: routes.map((r) => ({ route: r.name, access: r.access, writes: r.writes })),
        cells,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(
    `access matrix: ${size.routes} routes × ${size.callers} callers (6 roles and anonymous) × 2 scopes = ${size.planned} cells; ` +
      `${size.checked} checked, ${size.unchecked} not (${[...reasons].map(([r, n]) => `${n}: ${r}`).join(' | ')}), ` +
      `${size.refusals} refusals, ${size.violations} violations; fixtures ${size.setupSeconds} s, cells ${size.cellsSeconds} s\n`,
  );
  expect(undeclared).toEqual([]);
  expect(violating.map((c) => `${c.route} as ${c.caller} (${c.scope}) → ${c.status}: ${c.violations.join('; ')}`)).toEqual([]);
});
