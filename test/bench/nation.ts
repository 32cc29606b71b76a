/**
 * The benchmarks' seeded nation: about 85 regions, 2,300 municipalities and 40,000 schools, of very unequal sizes as
 * Russia's are, and in each region the tenth of its schools that the programme takes in («programme scale»).
 *
 * `generateNation` is pure and deterministic: the same spec gives the same nation, region for region, so a run of a
 * smaller size (the first n regions) is a prefix of the full one and two runs on two machines measure the same data.
 * `writeNation` stores regions in the directory as the project's migrations define it (organisations with codes and
 * neighbours, people with roles and one shared password hash), in multi-row inserts: 45,000 people one by one through
 * the repository would take longer than the benchmark itself.
 */
import { hashSync } from 'bcryptjs';
import type { DataSource } from 'typeorm';
import { REGION_PASSWORD, type RegionPerson, type TestRegion } from '../support/cycle-region';

export interface NationSpec {
  seed: number;
  regions: number;
  municipalities: number;
  schools: number;
  /** Share of each region's schools in the programme (0..1); 1 is the stress case. */
  programmeShare: number;
}

/** The nation the issue names: «programme scale» is all of it with a tenth of the schools taking part. */
export const NATION: NationSpec = { seed: 2026, regions: 85, municipalities: 2300, schools: 40_000, programmeShare: 0.1 };

/** A region in the shape the test helpers take (`TestRegion`), with its participants and its size. */
export interface BenchRegion extends TestRegion {
  name: string;
  /** Schools in the programme, in rank order: the first `round(share × schools)` of the region. */
  participantIds: string[];
}

export interface Nation {
  spec: NationSpec;
  regions: BenchRegion[];
}

/** Russia's zones west to east, most regions in Moscow time. */
const ZONES: [string, number][] = [
  ['Europe/Kaliningrad', 1],
  ['Europe/Moscow', 46],
  ['Europe/Samara', 6],
  ['Asia/Yekaterinburg', 7],
  ['Asia/Omsk', 1],
  ['Asia/Novosibirsk', 5],
  ['Asia/Krasnoyarsk', 5],
  ['Asia/Irkutsk', 3],
  ['Asia/Yakutsk', 4],
  ['Asia/Vladivostok', 4],
  ['Asia/Magadan', 2],
  ['Asia/Kamchatka', 1],
];

/** mulberry32: small, fast, and the same sequence everywhere for a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Splits `total` into `weights.length` whole parts proportional to the weights, each at least `minimum`, summing to
 * `total` exactly (largest remainders).
 */
export function apportion(total: number, weights: number[], minimum: number): number[] {
  const free = total - minimum * weights.length;
  if (free < 0) throw new Error(`cannot give ${weights.length} parts at least ${minimum} each out of ${total}`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (free * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = free - parts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k += 1, left -= 1) parts[byRemainder[k % byRemainder.length].i] += 1;
  return parts.map((p) => p + minimum);
}

/** Region sizes spread like a log-normal: a few large regions, many small ones (weights 0.2–5× the median). */
function skewedWeights(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => Math.exp((random() + random() + random() - 1.5) * 1.3));
}

function pickZone(random: () => number): string {
  const total = ZONES.reduce((n, [, w]) => n + w, 0);
  let roll = random() * total;
  for (const [zone, weight] of ZONES) {
    roll -= weight;
    if (roll < 0) return zone;
  }
  return ZONES[ZONES.length - 1][0];
}

export function generateNation(spec: NationSpec = NATION): Nation {
  const random = seededRandom(spec.seed);
  const municipalitiesPerRegion = apportion(spec.municipalities, skewedWeights(random, spec.regions), 3);
  // Schools follow municipalities (a big region has more of both), with noise of its own.
  const schoolsPerRegion = apportion(
    spec.schools,
    municipalitiesPerRegion.map((m) => m * (0.6 + random() * 0.8)),
    municipalitiesPerRegion.reduce((a, b) => Math.min(a, b), Infinity),
  );
  let schoolNumber = 0;
  const regions: BenchRegion[] = [];
  for (let r = 0; r < spec.regions; r += 1) {
    const code = `r${String(r + 1).padStart(2, '0')}`;
    const timeZone = pickZone(random);
    const domain = `${code}.nation.test`;
    const person = (local: string, organizationId: string): RegionPerson => ({ email: `${local}@${domain}`, organizationId });
    const ministryId = `${code}-ministry`;
    const instituteId = `${code}-iro`;
    const municipalityCount = municipalitiesPerRegion[r];
    const municipalities: BenchRegion['municipalities'] = Array.from({ length: municipalityCount }, (_, m) => {
      const id = `${code}-mun-${m + 1}`;
      return {
        id,
        name: `Управление образования муниципального района № ${m + 1} (${code})`,
        head: person(`head.mun${m + 1}`, id),
        coordinator: person(`coordinator.mun${m + 1}`, id),
      };
    });
    const perMunicipality = apportion(
      schoolsPerRegion[r],
      municipalities.map(() => 0.3 + random()),
      1,
    );
    const schools: BenchRegion['schools'] = [];
    municipalities.forEach((m, mi) => {
      for (let s = 1; s <= perMunicipality[mi]; s += 1) {
        schoolNumber += 1;
        const id = `${code}-school-${mi + 1}-${s}`;
        schools.push({
          id,
          code: String(100_000 + schoolNumber),
          name: `МБОУ «СОШ № ${s}» района № ${mi + 1} (${code})`,
          municipalityId: m.id,
          director: person(`director.${mi + 1}-${s}`, id),
        });
      }
    });
    // The programme's schools: a seeded draw without replacement, so every municipality may have some.
    const order = schools.map((s) => ({ id: s.id, key: random() })).sort((a, b) => a.key - b.key);
    const participantIds = order.slice(0, Math.max(1, Math.round(schools.length * spec.programmeShare))).map((s) => s.id);
    regions.push({
      code,
      name: `Регион ${r + 1}`,
      timeZone,
      ministryId,
      instituteId,
      municipalities,
      schools,
      participantIds,
      admin: person('admin', ministryId),
      reviewer: person('reviewer', ministryId),
      minister: person('minister', ministryId),
      auditor: person('auditor', ministryId),
      curator: person('curator', instituteId),
    });
  }
  return { spec, regions };
}

export interface NationCounts {
  regions: number;
  municipalities: number;
  schools: number;
  participants: number;
  people: number;
}

/** What a set of regions holds; `people` is what `writeNation` stores for them. */
export function countRegions(regions: BenchRegion[]): NationCounts {
  const municipalities = regions.reduce((n, r) => n + r.municipalities.length, 0);
  const schools = regions.reduce((n, r) => n + r.schools.length, 0);
  return {
    regions: regions.length,
    municipalities,
    schools,
    participants: regions.reduce((n, r) => n + r.participantIds.length, 0),
    people: regions.length * 5 + municipalities * 2 + schools,
  };
}

type OrgRow = [id: string, kind: string, name: string, regionCode: string, timeZone: string, parentId: string | null, code: string | null, neighbours: string[]];
type PersonRow = [organizationId: string, fullName: string, email: string, isHead: boolean, role: string | null, hasLogin: boolean];

const BATCH = 5_000;

/** Stores the regions' organisations and people; returns how many rows of each. Run once per fresh database. */
export async function writeNation(dataSource: DataSource, regions: BenchRegion[]): Promise<{ organizations: number; people: number }> {
  const passwordHash = hashSync(REGION_PASSWORD, 4);
  const orgs: OrgRow[] = [];
  const people: PersonRow[] = [];
  for (const r of regions) {
    orgs.push([r.ministryId, 'ministry', `Министерство образования (${r.name})`, r.code, r.timeZone, null, null, []]);
    orgs.push([r.instituteId, 'institute', `Институт развития образования (${r.name})`, r.code, r.timeZone, r.ministryId, null, []]);
    people.push([r.ministryId, 'Министров Министр Министрович', r.minister.email, true, null, false]);
    people.push([r.ministryId, 'Администраторова Анна Петровна', r.admin.email, false, 'ministry_admin', true]);
    people.push([r.ministryId, 'Экспертов Эдуард Иванович', r.reviewer.email, false, 'ministry_reviewer', true]);
    people.push([r.ministryId, 'Ревизорова Раиса Львовна', r.auditor.email, false, 'auditor', true]);
    people.push([r.instituteId, 'Кураторова Клара Сергеевна', r.curator.email, true, 'institute_curator', true]);
    r.municipalities.forEach((m, i) => {
      // Each district borders the next, so partner suggestions can cross a boundary.
      const neighbours = [r.municipalities[i - 1]?.id, r.municipalities[i + 1]?.id].filter((n): n is string => Boolean(n));
      orgs.push([m.id, 'municipality', m.name, r.code, r.timeZone, r.ministryId, null, neighbours]);
      people.push([m.id, `Начальников Николай (${m.id})`, m.head.email, true, null, false]);
      people.push([m.id, `Координаторова Ксения (${m.id})`, m.coordinator.email, false, 'municipal_coordinator', true]);
    });
    for (const s of r.schools) {
      orgs.push([s.id, 'school', s.name, r.code, r.timeZone, s.municipalityId, s.code, []]);
      people.push([s.id, `Директорова Дарья (${s.id})`, s.director.email, true, 'school', true]);
    }
  }
  // Parents before children: ministries, institutes and municipalities come before the schools of a region, and a
  // batch boundary never puts a child before its parent since the order is kept.
  for (let i = 0; i < orgs.length; i += BATCH) {
    const batch = orgs.slice(i, i + BATCH);
    await dataSource.query(
      `INSERT INTO organizations (id, kind, name, region_code, time_zone, parent_id, code, neighbour_ids)
       SELECT o.id, o.kind, o.name, o.region_code, o.time_zone, o.parent_id, o.code,
              ARRAY(SELECT jsonb_array_elements_text(o.neighbours))
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
           AS o(id, kind, name, region_code, time_zone, parent_id, code, neighbours)`,
      [0, 1, 2, 3, 4, 5, 6].map((c) => batch.map((row) => row[c])).concat([batch.map((row) => JSON.stringify(row[7]))]),
    );
  }
  for (let i = 0; i < people.length; i += BATCH) {
    const batch = people.slice(i, i + BATCH);
    await dataSource.query(
      `INSERT INTO people (organization_id, full_name, email, is_head, role, password_hash, password_set_at)
       SELECT p.organization_id, p.full_name, p.email, p.is_head, p.role,
              CASE WHEN p.has_login THEN $7 END, CASE WHEN p.has_login THEN now() END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::boolean[])
           AS p(organization_id, full_name, email, is_head, role, has_login)`,
      [...[0, 1, 2, 3, 4, 5].map((c) => batch.map((row) => row[c])), passwordHash],
    );
  }
  return { organizations: orgs.length, people: people.length };
}
