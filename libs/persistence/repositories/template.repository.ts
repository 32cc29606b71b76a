import type { DataSource } from 'typeorm';
import type { CycleTemplate } from '../../contracts/cycle-template';

export interface TemplateVersionRow {
  id: string;
  version: number;
  title: string;
  sourceFormat: 'yaml' | 'json';
  sourceText: string;
  document: CycleTemplate;
  sha256: string;
  builtin: boolean;
  /** The publishing region; null for the shipped roadmaps. */
  ownerRegionCode: string | null;
  createdBy: string;
  createdAt: Date;
}

const COLUMNS = `id, version, title, source_format AS "sourceFormat", source_text AS "sourceText", document, sha256, builtin,
  owner_region_code AS "ownerRegionCode", created_by AS "createdBy", created_at AS "createdAt"`;

/** Template versions are immutable: a running cycle keeps the plan of the version it was launched with. */
export class TemplateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts a new version; false when that (id, version) exists already. */
  async insert(row: Omit<TemplateVersionRow, 'createdAt'>): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO cycle_templates (id, version, title, source_format, source_text, document, sha256, builtin, owner_region_code, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
      [
        row.id,
        row.version,
        row.title,
        row.sourceFormat,
        row.sourceText,
        JSON.stringify(row.document),
        row.sha256,
        row.builtin,
        row.ownerRegionCode,
        row.createdBy,
      ],
    );
    return inserted.length > 0;
  }

  async find(id: string, version?: number): Promise<TemplateVersionRow | null> {
    const rows: TemplateVersionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM cycle_templates WHERE id = $1 AND ($2::int IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
      [id, version ?? null],
    );
    return rows[0] ?? null;
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
    return this.dataSource.query(
      `SELECT id, version, title, source_format AS "sourceFormat", sha256, builtin, owner_region_code AS "ownerRegionCode",
              created_by AS "createdBy", created_at AS "createdAt"
         FROM cycle_templates WHERE id = $1 ORDER BY version`,
      [id],
    );
  }
}
