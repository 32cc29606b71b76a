import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogRepository } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { iso } from '../common/views';
import type { PracticeListView, PracticeStatus, PracticeView, PracticeWithdrawalView, SearchPracticesQueryDto } from './practice.dto';

export const PRACTICE_SUBJECT = 'best_practice';
export const PRACTICE_WITHDRAWN_EVENT = 'practice_withdrawn';

// ts_headline marks matches with these; the text around them is HTML-escaped before they become <mark> tags, so a
// snippet is safe to insert as HTML whatever the school typed.
const MARK_START = '\u0001';
const MARK_END = '\u0002';
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=35, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`;
const TITLE_HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;

interface PracticeRow {
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
  status: PracticeStatus;
  publishedBy: string;
  publishedAt: Date;
}


const PRACTICE_FROM = `best_practices p
  JOIN cycles c ON c.id = p.cycle_id
  JOIN organizations s ON s.id = p.school_id
  LEFT JOIN organizations m ON m.id = s.parent_id`;

const PRACTICE_COLUMNS = `p.id, p.cycle_id AS "cycleId", c.region_code AS "regionCode", c.ministry_id AS "ministryId",
  p.school_id AS "schoolId", s.name AS "schoolName", m.id AS "municipalityId", m.name AS "municipalityName",
  p.submission_id AS "submissionId", p.title, p.summary, p.body, p.keywords, p.improvement, p.status,
  p.published_by AS "publishedBy", p.published_at AS "publishedAt"`;

/**
 * The bank of best practices: what the ministry published from approved practice descriptions, searchable by every
 * logged-in user (the bank exists to spread practice), withdrawable by the publishing ministry.
 */
@Injectable()
export class PracticesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly auditLog: AuditLogRepository,
    private readonly access: AccessPolicy,
  ) {}

  /** Published practices only; with `q`, those matching it, best first, with highlighted fragments. */
  async search(query: SearchPracticesQueryDto): Promise<PracticeListView> {
    const q = query.q ? query.q : null;
    const params: unknown[] = [q, query.cycleId ?? null, query.schoolId ?? null];
    const where = `p.status = 'published'
      AND ($2::text IS NULL OR p.cycle_id = $2) AND ($3::text IS NULL OR p.school_id = $3)
      AND ($1::text IS NULL OR p.search @@ websearch_to_tsquery('russian', $1))`;
    const [{ total }]: { total: string }[] = await this.dataSource.query(`SELECT count(*) AS total FROM ${PRACTICE_FROM} WHERE ${where}`, params);
    // Control characters the school may have typed would be taken for the match markers.
    const clean = (column: string) => `translate(${column}, E'\\x01\\x02', '')`;
    const rows: (PracticeRow & { rank: number | null; titleMarked: string; snippetMarked: string })[] = await this.dataSource.query(
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
      [...params, query.limit, query.offset, TITLE_HEADLINE_OPTIONS, HEADLINE_OPTIONS],
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        cycleId: r.cycleId,
        regionCode: r.regionCode,
        schoolId: r.schoolId,
        schoolName: r.schoolName,
        municipalityId: r.municipalityId,
        municipalityName: r.municipalityName,
        title: r.title,
        titleHtml: markedToHtml(r.titleMarked),
        summary: r.summary,
        snippetHtml: markedToHtml(r.snippetMarked),
        keywords: r.keywords,
        status: r.status,
        publishedBy: r.publishedBy,
        publishedAt: iso(r.publishedAt),
        rank: r.rank === null ? null : Number(r.rank),
      })),
      total: Number(total),
      limit: query.limit,
      offset: query.offset,
      q,
    };
  }

  /** A practice by id, withdrawn ones too (a link someone kept must say what became of it). */
  async get(id: string): Promise<PracticeView> {
    const row = await this.require(id);
    let withdrawal: PracticeWithdrawalView | null = null;
    if (row.status === 'withdrawn') {
      const events = await this.auditLog.list({ subjectType: PRACTICE_SUBJECT, subjectId: id });
      const last = events.filter((e) => e.type === PRACTICE_WITHDRAWN_EVENT).at(-1);
      if (last) withdrawal = { reason: String(last.data.reason ?? ''), by: last.actor, at: iso(last.occurredAt) };
    }
    return toView(row, withdrawal);
  }

  async withdraw(user: AuthUser, id: string, reason: string): Promise<PracticeView> {
    this.access.assertRole(user, ['ministry_admin'], 'снятие практики с публикации');
    const row = await this.require(id);
    if (!this.access.canActFor(user, row.ministryId)) {
      this.access.deny(user, 'Снять практику с публикации может только министерство, которое её опубликовало', {
        action: 'withdraw_practice',
        practiceId: id,
        organizationId: row.ministryId,
      });
    }
    const at = new Date();
    await this.dataSource.transaction(async (manager) => {
      const updated: unknown[] = await manager.query(
        `UPDATE best_practices SET status = 'withdrawn' WHERE id = $1 AND status = 'published' RETURNING id`,
        [id],
      );
      // The earlier read said published: someone withdrew it in between.
      if (updated.length === 0 || row.status !== 'published') throw new ConflictException('Практика уже снята с публикации');
      await this.auditLog.append(
        {
          subjectType: PRACTICE_SUBJECT,
          subjectId: id,
          type: PRACTICE_WITHDRAWN_EVENT,
          actor: user.email,
          occurredAt: at,
          data: { reason, title: row.title, schoolId: row.schoolId, submissionId: row.submissionId },
          cycleId: row.cycleId,
          organizationIds: [row.schoolId, row.ministryId],
        },
        manager,
      );
    });
    return toView({ ...row, status: 'withdrawn' }, { reason, by: user.email, at: iso(at) });
  }

  private async require(id: string): Promise<PracticeRow> {
    const rows: PracticeRow[] = await this.dataSource.query(`SELECT ${PRACTICE_COLUMNS} FROM ${PRACTICE_FROM} WHERE p.id = $1`, [id]);
    if (!rows[0]) throw new NotFoundException(`Практика ${id} не найдена в банке лучших практик`);
    return rows[0];
  }
}

/** The publishing ministry's id stays internal: it decides on withdrawal, the reader does not need it. */
function toView(row: PracticeRow, withdrawal: PracticeWithdrawalView | null): PracticeView {
  return {
    id: row.id,
    cycleId: row.cycleId,
    regionCode: row.regionCode,
    schoolId: row.schoolId,
    schoolName: row.schoolName,
    municipalityId: row.municipalityId,
    municipalityName: row.municipalityName,
    submissionId: row.submissionId,
    title: row.title,
    summary: row.summary,
    body: row.body,
    keywords: row.keywords,
    improvement: row.improvement,
    status: row.status,
    publishedBy: row.publishedBy,
    publishedAt: iso(row.publishedAt),
    withdrawal,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Escapes the text, then turns the match markers into <mark> tags. */
export function markedToHtml(marked: string): string {
  return escapeHtml(marked).split(MARK_START).join('<mark>').split(MARK_END).join('</mark>');
}
