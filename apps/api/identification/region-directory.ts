import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface RegionSchool {
  id: string;
  name: string;
  /** organizations.code: how the ministry's files name the school. */
  code: string | null;
  municipalityId: string | null;
  municipalityName: string | null;
}

/**
 * The region's schools with their codes and the municipalities' neighbours: the cycle migration added both columns
 * to organizations, and only identification and partnerships read them.
 */
@Injectable()
export class RegionDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async schools(regionCode: string): Promise<RegionSchool[]> {
    return this.dataSource.query(
      `SELECT s.id, s.name, s.code, s.parent_id AS "municipalityId", m.name AS "municipalityName"
         FROM organizations s LEFT JOIN organizations m ON m.id = s.parent_id
        WHERE s.region_code = $1 AND s.kind = 'school'
        ORDER BY s.code NULLS LAST, s.id`,
      [regionCode],
    );
  }

  /** municipality → its neighbours as written; suggestPartners reads the relation both ways. */
  async neighbours(regionCode: string): Promise<Record<string, string[]>> {
    const rows: { id: string; neighbourIds: string[] | null }[] = await this.dataSource.query(
      `SELECT id, neighbour_ids AS "neighbourIds" FROM organizations WHERE region_code = $1 AND kind = 'municipality'`,
      [regionCode],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.neighbourIds ?? []]));
  }
}
