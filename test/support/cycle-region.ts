/**
 * A fresh region for one full-cycle test: a ministry, an institute, municipalities with schools (codes, heads,
 * logins) and an auditor, inserted straight into the directory so each test owns its region.
 */
import { hashSync } from 'bcryptjs';
import type { DataSource } from 'typeorm';
import { DirectoryRepository } from '../../libs/persistence';

export const REGION_PASSWORD = 'cycle-test-password';

export interface RegionPerson {
  email: string;
  organizationId: string;
}

export interface TestRegion {
  code: string;
  timeZone: string;
  ministryId: string;
  instituteId: string;
  municipalities: { id: string; name: string; head: RegionPerson; coordinator: RegionPerson }[];
  schools: { id: string; code: string; name: string; municipalityId: string; director: RegionPerson }[];
  admin: RegionPerson;
  reviewer: RegionPerson;
  minister: RegionPerson;
  curator: RegionPerson;
  auditor: RegionPerson;
}

export async function createTestRegion(
  dataSource: DataSource,
  options: { code: string; timeZone: string; municipalities: number; schoolsPerMunicipality: number },
): Promise<TestRegion> {
  const directory = new DirectoryRepository(dataSource);
  const hash = hashSync(REGION_PASSWORD, 4);
  const { code, timeZone } = options;
  const domain = `${code}.region.test`;
  const org = async (id: string, kind: 'ministry' | 'institute' | 'municipality' | 'school', name: string, parentId: string | null, schoolCode?: string) => {
    await dataSource.query(
      `INSERT INTO organizations (id, kind, name, region_code, time_zone, parent_id, code) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, kind, name, code, timeZone, parentId, schoolCode ?? null],
    );
  };
  const person = async (organizationId: string, local: string, fullName: string, role: string | null, isHead = false): Promise<RegionPerson> => {
    const email = `${local}@${domain}`;
    await directory.addPerson({ organizationId, fullName, email, isHead, role, passwordHash: role ? hash : null });
    return { email, organizationId };
  };

  const ministryId = `${code}-ministry`;
  const instituteId = `${code}-iro`;
  await org(ministryId, 'ministry', `Министерство образования (${code})`, null);
  await org(instituteId, 'institute', `Институт развития образования (${code})`, ministryId);
  const minister = await person(ministryId, 'minister', 'Министров Министр Министрович', null, true);
  const admin = await person(ministryId, 'admin', 'Администраторова Анна Петровна', 'ministry_admin');
  const reviewer = await person(ministryId, 'reviewer', 'Экспертов Эдуард Иванович', 'ministry_reviewer');
  const auditor = await person(ministryId, 'auditor', 'Ревизорова Раиса Львовна', 'auditor');
  const curator = await person(instituteId, 'curator', 'Кураторова Клара Сергеевна', 'institute_curator', true);

  const municipalities: TestRegion['municipalities'] = [];
  const schools: TestRegion['schools'] = [];
  let schoolNumber = 0;
  for (let m = 1; m <= options.municipalities; m += 1) {
    const id = `${code}-mun-${m}`;
    const name = `Управление образования района № ${m}`;
    await org(id, 'municipality', name, ministryId);
    const head = await person(id, `head.mun${m}`, `Начальников Николай (район ${m})`, null, true);
    const coordinator = await person(id, `coordinator.mun${m}`, `Координаторова Ксения (район ${m})`, 'municipal_coordinator');
    municipalities.push({ id, name, head, coordinator });
    for (let s = 1; s <= options.schoolsPerMunicipality; s += 1) {
      schoolNumber += 1;
      const schoolId = `${code}-school-${m}-${s}`;
      const schoolCode = String(100 + schoolNumber).padStart(6, '0');
      const schoolName = `МБОУ «СОШ № ${s}» района № ${m}`;
      await org(schoolId, 'school', schoolName, id, schoolCode);
      const director = await person(schoolId, `director.${m}-${s}`, `Директорова Дарья (школа ${m}-${s})`, 'school', true);
      schools.push({ id: schoolId, code: schoolCode, name: schoolName, municipalityId: id, director });
    }
  }
  // Neighbouring districts: each borders the next, so partner suggestions can cross a boundary.
  for (let i = 0; i < municipalities.length; i += 1) {
    const neighbours = [municipalities[i - 1]?.id, municipalities[i + 1]?.id].filter((n): n is string => Boolean(n));
    await dataSource.query(`UPDATE organizations SET neighbour_ids = $2 WHERE id = $1`, [municipalities[i].id, neighbours]);
  }
  return { code, timeZone, ministryId, instituteId, municipalities, schools, admin, reviewer, minister, curator, auditor };
}
