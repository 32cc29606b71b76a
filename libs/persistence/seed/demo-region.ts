import type { DataSource } from 'typeorm';
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

const people: NewPerson[] = [
  { organizationId: 'demo-ministry', fullName: 'Иванова Мария Петровна', email: 'minister@demo-region.example', position: 'Министр образования', isHead: true },
  { organizationId: 'demo-ministry', fullName: 'Петров Сергей Иванович', email: 'programme@demo-region.example', position: 'Начальник отдела общего образования' },
  { organizationId: 'demo-iro', fullName: 'Смирнова Ольга Викторовна', email: 'rector@iro.demo-region.example', position: 'Ректор', isHead: true },
  { organizationId: 'demo-mun-severny', fullName: 'Кузнецов Андрей Николаевич', email: 'head@severny.demo-region.example', position: 'Начальник управления образования', isHead: true },
  { organizationId: 'demo-mun-severny', fullName: 'Волкова Елена Сергеевна', email: 'coordinator@severny.demo-region.example', position: 'Муниципальный координатор' },
  { organizationId: 'demo-mun-yuzhny', fullName: 'Морозов Дмитрий Алексеевич', email: 'head@yuzhny.demo-region.example', position: 'Начальник управления образования', isHead: true },
  { organizationId: 'demo-mun-yuzhny', fullName: 'Соколова Анна Игоревна', email: 'coordinator@yuzhny.demo-region.example', position: 'Муниципальный координатор' },
  { organizationId: 'demo-school-severny-1', fullName: 'Попова Татьяна Владимировна', email: 'director@school1.severny.demo-region.example', position: 'Директор', isHead: true },
  { organizationId: 'demo-school-severny-1', fullName: 'Лебедев Игорь Павлович', email: 'deputy@school1.severny.demo-region.example', position: 'Заместитель директора по УВР' },
  { organizationId: 'demo-school-severny-2', fullName: 'Новикова Светлана Юрьевна', email: 'director@school2.severny.demo-region.example', position: 'Директор', isHead: true },
  { organizationId: 'demo-school-yuzhny-1', fullName: 'Федоров Алексей Михайлович', email: 'director@lyceum1.yuzhny.demo-region.example', position: 'Директор', isHead: true },
];

/** Idempotent: a restart, or a second process booting at the same time, adds nothing twice. */
export async function seedDemoRegion(dataSource: DataSource): Promise<{ organizations: number; people: number }> {
  const directory = new DirectoryRepository(dataSource);
  let orgCount = 0;
  let personCount = 0;
  for (const org of organizations) if (await directory.insertOrganization(org)) orgCount += 1;
  for (const person of people) if ((await directory.addPerson(person)).created) personCount += 1;
  return { organizations: orgCount, people: personCount };
}
