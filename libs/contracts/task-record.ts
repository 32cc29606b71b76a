/**
 * Writes that a task's Update carries to PostgreSQL. Sandbox-safe: plain types only.
 *
 * Where a business write spans Temporal and PostgreSQL (a cycle task's record and the task's completion; a granted
 * extension request and the task's new deadline), the workflow is the source of truth: the API sends the write
 * inside the Update and holds no transaction; the workflow hands it to the projection of the change the Update
 * causes, which stores it with the task's row and both audit entries in one PostgreSQL transaction. Temporal keeps
 * the accepted Update durably, so a crash of the API or the worker at any point ends in both sides agreeing: the
 * projection activity is retried (idempotently, by the task's version) until it commits, or the workflow undoes the
 * change and refuses the Update, and nothing was written.
 */

/** A submission handed in by a cycle task; its id is chosen by the API, its version is the next of its document. */
export interface SubmissionWrite {
  id: string;
  cycleId: string;
  taskId: string;
  stageId: string;
  stepKey: string;
  action: string;
  organizationId: string;
  subjectOrganizationId: string;
  periodId: string | null;
  round: number;
  documentId: string | null;
  form: Record<string, unknown> | null;
  comment: string | null;
  submittedBy: string;
}

export interface ParticipantWrite {
  schoolId: string;
  municipalityId: string;
  category: string | null;
  rank: number | null;
  reasons: string[];
  included: boolean;
  manualReason: string | null;
  decidedBy: string;
}

/** A reviewer's remark on the version under review; its id is chosen by the API. */
export interface RemarkWrite {
  id: string;
  cycleId: string;
  submissionId: string;
  stepKey: string;
  subjectId: string;
  text: string;
  by: string;
}

/** An approved practice, published to the bank with the submission it was described in. */
export interface PracticeWrite {
  cycleId: string;
  schoolId: string;
  submissionId: string;
  title: string;
  summary: string;
  body: string;
  keywords: string[];
  publishedBy: string;
}

/** A pair of schools a municipality proposed: an agreement to be confirmed by its three parties. */
export interface AgreementWrite {
  cycleId: string;
  stepKey: string;
  municipalityId: string;
  schoolId: string;
  partnerSchoolId: string;
  proposalSubmissionId: string;
  proposedBy: string;
}

export type CycleRecordWrite =
  /** Adds `version` to the audit entry's data. */
  | { kind: 'submission'; submission: SubmissionWrite }
  | { kind: 'answer_remark'; remarkId: string; answer: string; by: string; submissionId: string }
  | { kind: 'remark'; remark: RemarkWrite }
  | { kind: 'reopen_remark'; remarkId: string }
  | { kind: 'accept_remarks'; remarkIds: string[]; by: string }
  | { kind: 'best_practice'; practice: PracticeWrite }
  /** An agreement proposed (or proposed again); its id goes to the audit entry's `pairs`, in order. */
  | { kind: 'agreement'; agreement: AgreementWrite }
  /** Adds `status` and `confirmedParties` to the audit entry's data. */
  | { kind: 'confirm_agreement'; agreementId: string; party: 'school' | 'partner' | 'municipality'; by: string; documentId: string | null }
  | { kind: 'participants'; cycleId: string; rows: ParticipantWrite[] };

/** What a cycle task hands in with its completion: the rows, in order, and the audit entry that tells of them. */
export interface CycleTaskRecord {
  kind: 'cycle_record';
  writes: CycleRecordWrite[];
  audit: { type: string; actor: string; data: Record<string, unknown>; cycleId: string; organizationIds: string[] };
}

/** A granted extension request, stored with the task's new deadline. */
export interface ExtensionGrantRecord {
  kind: 'extension_granted';
  requestId: string;
  decidedBy: string;
  basis: string;
}

export type TaskRecord = CycleTaskRecord | ExtensionGrantRecord;

/**
 * Set in a test's worker process only: the worker kills itself (SIGKILL) after a carried record's rows are written
 * and before their transaction commits, the gap a crash test needs.
 */
export const KILL_BEFORE_RECORD_COMMIT_ENV = 'UPLIFT_TEST_KILL_BEFORE_RECORD_COMMIT';
