import type { DataSource } from 'typeorm';
import { CycleTemplateEntity } from '../entities';

/** One stored version of a template (the entity's fields; ownerRegionCode null for the shipped roadmaps). */
export type TemplateVersionRow = CycleTemplateEntity;

const COLUMNS = `id, version, title, source_format AS "sourceFormat", source_text AS "sourceText", document, sha256, builtin,
  owner_region_code AS "ownerRegionCode", created_by AS "createdBy", created_at AS "createdAt"`;

/** Template versions are immutable: a running cycle keeps the plan of the version it was launched with. */
export class TemplateRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get templates() {
    return this.dataSource.getRepository(CycleTemplateEntity);
  }

  /** Inserts a new version; false when that (id, version) exists already. */
  async insert(row: Omit<TemplateVersionRow, 'createdAt'>): Promise<boolean> {
    const result = await this.templates.createQueryBuilder().insert().values(row).orIgnore().returning('id').updateEntity(false).execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** The given version, or the latest when none is given. */
  async find(id: string, version?: number): Promise<TemplateVersionRow | null> {
    if (!id) return null;
    return this.templates.findOne({ where: version === undefined ? { id } : { id, version }, order: { version: 'DESC' } });
  }

  /** The latest version of each template a region may use: the shipped ones and its own (every one, for 'all'). */
  async listLatest(regionCode: string | 'all'): Promise<TemplateVersionRow[]> {
    return this.dataSource.query(
      `SELECT DISTINCT ON (id) ${COLUMNS} FROM cycle_templates
        WHERE $1 = 'all' OR owner_region_code IS NULL OR owner_region_code = $1
        ORDER BY id, version DESC`,
      [regionCode],
    );
  }

  async versions(id: string): Promise<Omit<TemplateVersionRow, 'sourceText' | 'document'>[]> {
    return this.templates.find({
      select: { id: true, version: true, title: true, sourceFormat: true, sha256: true, builtin: true, ownerRegionCode: true, createdBy: true, createdAt: true },
      where: { id },
      order: { version: 'ASC' },
    });
  }
}
