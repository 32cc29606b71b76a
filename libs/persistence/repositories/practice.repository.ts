import type { DataSource, EntityManager } from 'typeorm';
import type { PracticeWrite } from '../../contracts/task-record';
import { BestPracticeEntity, type BestPracticeStatus } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

// ts_headline marks matches with these control characters; the caller escapes the text and turns them into tags.
export const PRACTICE_MARK_START = '\u0001';
export const PRACTICE_MARK_END = '\u0002';
const HEADLINE_OPTIONS = `StartSel=${PRACTICE_MARK_START}, StopSel=${PRACTICE_MARK_END}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
const TITLE_HEADLINE_OPTIONS = `StartSel=${PRACTICE_MARK_START}, StopSel=${PRACTICE_MARK_END}, HighlightAll=true`;

/** A practice with what readers see around it: the cycle's region and ministry, the school and its municipality. */
export interface PracticeRow {
  id: string;
  cycleId: string;
  regionCode: string;
  ministryId: string;
  schoolId: string;
  schoolName: string;
  municipalityId: string | null;
  municipalityName: string | null;
  submissionId: string;
  title: string;
  summary: string;
  body: string;
  keywords: string[];
  improvement: unknown;
  status: BestPracticeStatus;
  publishedBy: string;
  publishedAt: Date;
}

/** A search hit: the practice, its relevance (null without a query), and title and snippet with the matches marked. */
export interface PracticeHit extends PracticeRow {
  rank: number | null;
  /** The title with matches between PRACTICE_MARK_START and PRACTICE_MARK_END. */
  titleMarked: string;
  snippetMarked: string;
}

export interface PracticeSearch {
  /** websearch syntax, Russian stemming; null lists every published practice, newest first. */
  q: string | null;
  cycleId?: string;
  schoolId?: string;
  limit: number;
  offset: number;
}

const PRACTICE_FROM = `best_practices p
  JOIN cycles c ON c.id = p.cycle_id
  JOIN organizations s ON s.id = p.school_id
  LEFT JOIN organizations m ON m.id = s.parent_id`;

const PRACTICE_COLUMNS = `p.id, p.cycle_id AS "cycleId", c.region_code AS "regionCode", c.ministry_id AS "ministryId",
  p.school_id AS "schoolId", s.name AS "schoolName", m.id AS "municipalityId", m.name AS "municipalityName",
  p.submission_id AS "submissionId", p.title, p.summary, p.body, p.keywords, p.improvement, p.status,
  p.published_by AS "publishedBy", p.published_at AS "publishedAt"`;

/** The bank of best practices: publication from an approved description, full-text search, withdrawal. */
export class PracticeRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /** Published practices matching the search, best first, and how many match in all. */
  async search(search: PracticeSearch): Promise<{ items: PracticeHit[]; total: number }> {
    const params: unknown[] = [search.q, search.cycleId ?? null, search.schoolId ?? null];
    const where = `p.status = 'published'
      AND ($2::text IS NULL OR p.cycle_id = $2) AND ($3::text IS NULL OR p.school_id = $3)
      AND ($1::text IS NULL OR p.search @@ websearch_to_tsquery('russian', $1))`;
    const [{ total }]: { total: string }[] = await this.dataSource.query(`SELECT count(*) AS total FROM ${PRACTICE_FROM} WHERE ${where}`, params);
    // Control characters the school may have typed would be taken for the match markers.
    const clean = (column: string) => `translate(${column}, E'\\x01\\x02', '')`;
    const rows: (PracticeRow & { rank: string | number | null; titleMarked: string; snippetMarked: string })[] = await this.dataSource.query(
      `SELECT ${PRACTICE_COLUMNS},
              CASE WHEN $1::text IS NULL THEN NULL ELSE ts_rank(p.search, websearch_to_tsquery('russian', $1)) END AS rank,
              CASE WHEN $1::text IS NULL THEN ${clean('p.title')}
                   ELSE ts_headline('russian', ${clean('p.title')}, websearch_to_tsquery('russian', $1), $6) END AS "titleMarked",
              CASE WHEN $1::text IS NULL THEN ${clean('p.summary')}
                   ELSE ts_headline('russian', ${clean(`p.summary || E'\\n' || p.body`)}, websearch_to_tsquery('russian', $1), $7) END AS "snippetMarked"
         FROM ${PRACTICE_FROM}
        WHERE ${where}
        ORDER BY rank DESC NULLS LAST, p.published_at DESC, p.id
        LIMIT $4 OFFSET $5`,
      [...params, search.limit, search.offset, TITLE_HEADLINE_OPTIONS, HEADLINE_OPTIONS],
    );
    return { items: rows.map((r) => ({ ...r, rank: r.rank === null ? null : Number(r.rank) })), total: Number(total) };
  }

  /** A practice by id, withdrawn ones too. */
  async find(id: string): Promise<PracticeRow | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const rows: PracticeRow[] = await this.dataSource.query(`SELECT ${PRACTICE_COLUMNS} FROM ${PRACTICE_FROM} WHERE p.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /**
   * Withdraws a published practice and appends `auditEntry` in the same transaction; false (and nothing written) when
   * it was not published any more.
   */
  async withdraw(id: string, auditEntry: AuditEntryInput): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .getRepository(BestPracticeEntity)
        .createQueryBuilder()
        .update()
        .set({ status: 'withdrawn' })
        .where(`id = :id AND status = 'published'`, { id })
        .execute();
      if ((result.affected ?? 0) === 0) return false;
      // Last in the transaction: the audit chain's lock is held from here to the commit.
      await this.audit.append(auditEntry, manager);
      return true;
    });
  }

  /** Publishes in the caller's transaction (the review that approved it); a practice published already stays as it is. */
  async publish(manager: EntityManager, practice: PracticeWrite): Promise<void> {
    await manager
      .getRepository(BestPracticeEntity)
      .createQueryBuilder()
      .insert()
      .values({ ...practice, status: 'published' })
      .orIgnore()
      .execute();
  }
}
