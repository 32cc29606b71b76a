import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import {
  AuditLogRepository,
  PRACTICE_MARK_END,
  PRACTICE_MARK_START,
  PracticeRepository,
  type PracticeRow,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { iso } from '../common/views';
import type { PracticeListView, PracticeView, PracticeWithdrawalView, SearchPracticesQueryDto } from './practice.dto';

export const PRACTICE_SUBJECT = 'best_practice';
export const PRACTICE_WITHDRAWN_EVENT = 'practice_withdrawn';

/**
 * The bank of best practices: what the ministry published from approved practice descriptions, searchable by every
 * logged-in user (the bank exists to spread practice), withdrawable by the publishing ministry.
 */
@Injectable()
export class PracticesService {
  constructor(
    private readonly practices: PracticeRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly access: AccessPolicy,
  ) {}

  /** Published practices only; with `q`, those matching it, best first, with highlighted fragments. */
  async search(query: SearchPracticesQueryDto): Promise<PracticeListView> {
    const q = query.q ? query.q : null;
    const { items: rows, total } = await this.practices.search({
      q,
      cycleId: query.cycleId,
      schoolId: query.schoolId,
      limit: query.limit,
      offset: query.offset,
    });
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
        rank: r.rank,
      })),
      total,
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
    // The earlier read said published, or someone withdrew it in between: nothing is written either way.
    const withdrawn =
      row.status === 'published' &&
      (await this.practices.withdraw(id, {
        subjectType: PRACTICE_SUBJECT,
        subjectId: id,
        type: PRACTICE_WITHDRAWN_EVENT,
        actor: user.email,
        occurredAt: at,
        data: { reason, title: row.title, schoolId: row.schoolId, submissionId: row.submissionId },
        cycleId: row.cycleId,
        organizationIds: [row.schoolId, row.ministryId],
      }));
    if (!withdrawn) throw new ConflictException('Практика уже снята с публикации');
    return toView({ ...row, status: 'withdrawn' }, { reason, by: user.email, at: iso(at) });
  }

  private async require(id: string): Promise<PracticeRow> {
    const row = await this.practices.find(id);
    if (!row) throw new NotFoundException(`Практика ${id} не найдена в банке лучших практик`);
    return row;
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
  return escapeHtml(marked).split(PRACTICE_MARK_START).join('<mark>').split(PRACTICE_MARK_END).join('</mark>');
}
