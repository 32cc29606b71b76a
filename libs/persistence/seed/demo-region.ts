import { hash } from 'bcryptjs';
import type { DataSource } from 'typeorm';
import { PersonEntity } from '../entities';
import type { NewOrganization, NewPerson } from '../repositories/directory.repository';
import { DirectoryRepository } from '../repositories/directory.repository';

/** UTC+5, like Orenburg: a zone other than Moscow keeps time-zone mistakes visible in the demo. */
export const DEMO_REGION = { code: 'demo', timeZone: 'Asia/Yekaterinburg' } as const;

const organizations: NewOrganization[] = [
  { id: 'demo-ministry', kind: 'ministry', name: 'Министерство образования Демонстрационной области' },
  { id: 'demo-iro', kind: 'institute', name: 'Институт развития образования Демонстрационной области', parentId: 'demo-ministry' },
  { id: 'demo-mun-severny', kind: 'municipality', name: 'Управление образования Северного района', parentId: 'demo-ministry' },
  { id: 'demo-mun-yuzhny', kind: 'municipality', name: 'Управление образования Южного района', parentId: 'demo-ministry' },
  { id: 'demo-school-severny-1', kind: 'school', name: 'МБОУ «СОШ № 1» п. Северный', parentId: 'demo-mun-severny' },
  { id: 'demo-school-severny-2', kind: 'school', name: 'МБОУ «ООШ № 2» с. Заречье', parentId: 'demo-mun-severny' },
  { id: 'demo-school-yuzhny-1', kind: 'school', name: 'МБОУ «Лицей № 1» г. Южный', parentId: 'demo-mun-yuzhny' },
].map((o) => ({ ...o, regionCode: DEMO_REGION.code, timeZone: DEMO_REGION.timeZone }) as NewOrganization);

/**
 * `role`: the demo log-ins (README, «Demo users»). People without one (the minister, the rector, the heads of the
 * municipal offices, a deputy director) only receive e-mails, as most of a real directory does. The auditor sits in
 * the ministry's own organisation (its control and audit department) rather than in an organisation of kind
 * `ministry` of its own, which would compete with the ministry as the region's default supervisor.
 */
const people: (NewPerson & { role?: string })[] = [
  { organizationId: 'demo-ministry', fullName: 'Иванова Мария Петровна', email: 'minister@demo-region.example', position: 'Министр образования', isHead: true },
  { organizationId: 'demo-ministry', fullName: 'Петров Сергей Иванович', email: 'programme@demo-region.example', position: 'Начальник отдела общего образования', role: 'ministry_admin' },
  { organizationId: 'demo-ministry', fullName: 'Григорьева Екатерина Андреевна', email: 'reviewer@demo-region.example', position: 'Главный специалист отдела общего образования', role: 'ministry_reviewer' },
  { organizationId: 'demo-ministry', fullName: 'Орлова Вера Николаевна', email: 'audit@demo-region.example', position: 'Начальник контрольно-ревизионного управления', role: 'auditor' },
  { organizationId: 'demo-iro', fullName: 'Смирнова Ольга Викторовна', email: 'rector@iro.demo-region.example', position: 'Ректор', isHead: true },
  { organizationId: 'demo-iro', fullName: 'Белова Ирина Александровна', email: 'curator@iro.demo-region.example', position: 'Куратор программы поддержки школ', role: 'institute_curator' },
  { organizationId: 'demo-mun-severny', fullName: 'Кузнецов Андрей Николаевич', email: 'head@severny.demo-region.example', position: 'Начальник управления образования', isHead: true },
  { organizationId: 'demo-mun-severny', fullName: 'Волкова Елена Сергеевна', email: 'coordinator@severny.demo-region.example', position: 'Муниципальный координатор', role: 'municipal_coordinator' },
  { organizationId: 'demo-mun-yuzhny', fullName: 'Морозов Дмитрий Алексеевич', email: 'head@yuzhny.demo-region.example', position: 'Начальник управления образования', isHead: true },
  { organizationId: 'demo-mun-yuzhny', fullName: 'Соколова Анна Игоревна', email: 'coordinator@yuzhny.demo-region.example', position: 'Муниципальный координатор', role: 'municipal_coordinator' },
  { organizationId: 'demo-school-severny-1', fullName: 'Попова Татьяна Владимировна', email: 'director@school1.severny.demo-region.example', position: 'Директор', isHead: true, role: 'school' },
  { organizationId: 'demo-school-severny-1', fullName: 'Лебедев Игорь Павлович', email: 'deputy@school1.severny.demo-region.example', position: 'Заместитель директора по УВР' },
  { organizationId: 'demo-school-severny-2', fullName: 'Новикова Светлана Юрьевна', email: 'director@school2.severny.demo-region.example', position: 'Директор', isHead: true, role: 'school' },
  { organizationId: 'demo-school-yuzhny-1', fullName: 'Федоров Алексей Михайлович', email: 'director@lyceum1.yuzhny.demo-region.example', position: 'Директор', isHead: true, role: 'school' },
];

export interface DemoSeedOptions {
  /** The demo users' password; without it they get their roles but cannot log in. */
  password?: string;
  /** bcrypt cost for the demo passwords (tests use a low one). */
  bcryptCost?: number;
}

/**
 * Idempotent: a restart, or a second process booting at the same time, adds nothing twice. A demo user's role and
 * password are set only while still empty, so changes made through the API survive restarts.
 */
export async function seedDemoRegion(
  dataSource: DataSource,
  options: DemoSeedOptions = {},
): Promise<{ organizations: number; people: number; logins: number }> {
  const directory = new DirectoryRepository(dataSource);
  let orgCount = 0;
  let personCount = 0;
  let loginCount = 0;
  for (const org of organizations) if (await directory.insertOrganization(org)) orgCount += 1;
  let passwordHash: string | undefined;
  for (const { role, ...person } of people) {
    const added = await directory.addPerson(person);
    if (added.created) personCount += 1;
    if (!role) continue;
    // Hashed once, and only when some demo user still lacks a password: bcrypt is slow on purpose.
    if (options.password && !passwordHash && !(await hasPassword(dataSource, added.person.id))) {
      passwordHash = await hash(options.password, options.bcryptCost ?? 10);
    }
    await dataSource
      .createQueryBuilder()
      .update(PersonEntity)
      .set({ role })
      .where('id = :id AND role IS NULL AND password_hash IS NULL', { id: added.person.id })
      .execute();
    if (!passwordHash) continue;
    const result = await dataSource
      .createQueryBuilder()
      .update(PersonEntity)
      .set({ passwordHash })
      .where('id = :id AND role IS NOT NULL AND password_hash IS NULL', { id: added.person.id })
      .execute();
    if ((result.affected ?? 0) > 0) loginCount += 1;
  }
  await seedDemoIdentificationDirectory(dataSource);
  return { organizations: orgCount, people: personCount, logins: loginCount };
}

async function hasPassword(dataSource: DataSource, personId: string): Promise<boolean> {
  const rows: unknown[] = await dataSource.query('SELECT 1 FROM people WHERE id = $1 AND password_hash IS NOT NULL', [personId]);
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Identification and partnerships: school codes as the ministry's files write them, a third municipality with its
// own schools so that a ranking has a bottom and a top and partners exist outside the participants, and which
// municipalities border each other. Added to a separate municipality so the first two keep the schools that other
// tests count.

organizations.push(
  ...[
    { id: 'demo-mun-vostochny', kind: 'municipality', name: 'Управление образования Восточного района', parentId: 'demo-ministry' },
    { id: 'demo-school-vostochny-1', kind: 'school', name: 'МБОУ «СОШ № 1» г. Восточный', parentId: 'demo-mun-vostochny' },
    { id: 'demo-school-vostochny-2', kind: 'school', name: 'МБОУ «СОШ № 2» г. Восточный', parentId: 'demo-mun-vostochny' },
    { id: 'demo-school-vostochny-3', kind: 'school', name: 'МБОУ «Гимназия № 3» г. Восточный', parentId: 'demo-mun-vostochny' },
    { id: 'demo-school-vostochny-4', kind: 'school', name: 'МБОУ «ООШ № 4» с. Луговое', parentId: 'demo-mun-vostochny' },
    { id: 'demo-school-vostochny-5', kind: 'school', name: 'МБОУ «СОШ № 5» с. Берёзовка', parentId: 'demo-mun-vostochny' },
  ].map((o) => ({ ...o, regionCode: DEMO_REGION.code, timeZone: DEMO_REGION.timeZone }) as NewOrganization),
);

people.push(
  { organizationId: 'demo-mun-vostochny', fullName: 'Зайцев Павел Олегович', email: 'head@vostochny.demo-region.example', position: 'Начальник управления образования', isHead: true },
  { organizationId: 'demo-mun-vostochny', fullName: 'Егорова Наталья Викторовна', email: 'coordinator@vostochny.demo-region.example', position: 'Муниципальный координатор', role: 'municipal_coordinator' },
  { organizationId: 'demo-school-vostochny-1', fullName: 'Киселёва Ольга Ивановна', email: 'director@school1.vostochny.demo-region.example', position: 'Директор', isHead: true, role: 'school' },
  { organizationId: 'demo-school-vostochny-3', fullName: 'Макаров Олег Петрович', email: 'director@gymnasium3.vostochny.demo-region.example', position: 'Директор', isHead: true, role: 'school' },
);

/** Six digits with leading zeros, as regional registers number schools; the zeros must survive every import. */
export const DEMO_SCHOOL_CODES: Readonly<Record<string, string>> = {
  'demo-school-severny-1': '000101',
  'demo-school-severny-2': '000102',
  'demo-school-yuzhny-1': '000201',
  'demo-school-vostochny-1': '000301',
  'demo-school-vostochny-2': '000302',
  'demo-school-vostochny-3': '000303',
  'demo-school-vostochny-4': '000304',
  'demo-school-vostochny-5': '000305',
};

const DEMO_NEIGHBOURS: Readonly<Record<string, string[]>> = {
  'demo-mun-severny': ['demo-mun-yuzhny', 'demo-mun-vostochny'],
  'demo-mun-yuzhny': ['demo-mun-severny', 'demo-mun-vostochny'],
  'demo-mun-vostochny': ['demo-mun-severny', 'demo-mun-yuzhny'],
};

/** Idempotent, and only fills what is still empty: a code or neighbour list edited since is kept. */
async function seedDemoIdentificationDirectory(dataSource: DataSource): Promise<void> {
  for (const [id, code] of Object.entries(DEMO_SCHOOL_CODES)) {
    await dataSource.query(`UPDATE organizations SET code = $2 WHERE id = $1 AND code IS NULL`, [id, code]);
  }
  for (const [id, neighbours] of Object.entries(DEMO_NEIGHBOURS)) {
    await dataSource.query(`UPDATE organizations SET neighbour_ids = $2 WHERE id = $1 AND neighbour_ids = '{}'`, [id, neighbours]);
  }
}
