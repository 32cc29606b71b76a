import type { DataSource, EntityManager } from 'typeorm';
import type { TaskEvent, TaskSnapshot } from '../../contracts/deadline-task';
import type { CycleRecordWrite, CycleTaskRecord, TaskRecord } from '../../contracts/task-record';
import type { AuditEntryInput } from './audit-log.repository';
import { AgreementRepository } from './agreement.repository';
import { CycleParticipantRepository } from './cycle-participant.repository';
import { ExtensionRequestRepository } from './extension-request.repository';
import { PracticeRepository } from './practice.repository';
import { RemarkRepository } from './remark.repository';
import { SubmissionRepository } from './submission.repository';

/**
 * Writes what a task's Update carries (libs/contracts/task-record.ts) inside the transaction of the task's projection
 * (TaskRepository.applyProjection), and gives the audit entry that tells of it. Runs once per projected change: the
 * projection calls it only when it has just appended its event's audit entry.
 */
export class TaskRecordRepository {
  constructor(
    private readonly submissions: SubmissionRepository,
    private readonly remarks: RemarkRepository,
    private readonly agreements: AgreementRepository,
    private readonly participants: CycleParticipantRepository,
    private readonly practices: PracticeRepository,
    private readonly extensionRequests: ExtensionRequestRepository,
  ) {}

  async apply(manager: EntityManager, snapshot: TaskSnapshot, event: TaskEvent, record: TaskRecord): Promise<AuditEntryInput> {
    switch (record.kind) {
      case 'cycle_record':
        return this.applyCycleRecord(manager, snapshot, event, record);
      case 'extension_granted':
        return this.extensionRequests.applyGrant(manager, record, snapshot, {
          previousDueAt: event.data.previousDueAt,
          dueAt: event.data.dueAt,
        });
    }
  }

  private async applyCycleRecord(manager: EntityManager, snapshot: TaskSnapshot, event: TaskEvent, record: CycleTaskRecord): Promise<AuditEntryInput> {
    const learned: Record<string, unknown> = {};
    const agreementIds: string[] = [];
    for (const write of record.writes) {
      const found = await this.applyWrite(manager, write);
      if (typeof found.agreementId === 'string') agreementIds.push(found.agreementId);
      else Object.assign(learned, found);
    }
    const data = { ...record.audit.data, ...learned };
    // A proposal's pairs, each with the agreement it made (an existing one when the pair was proposed before).
    if (agreementIds.length > 0 && Array.isArray(data.pairs)) {
      data.pairs = (data.pairs as Record<string, unknown>[]).map((p, i) => ({ ...p, agreementId: agreementIds[i] ?? null }));
    }
    return {
      subjectType: 'task',
      subjectId: snapshot.taskId,
      type: record.audit.type,
      actor: record.audit.actor,
      occurredAt: new Date(event.occurredAt),
      data,
      cycleId: record.audit.cycleId,
      organizationIds: record.audit.organizationIds,
    };
  }

  /** One write; returns what only the database knew (a version, an agreement's id or state) for the audit entry. */
  private async applyWrite(manager: EntityManager, write: CycleRecordWrite): Promise<Record<string, unknown>> {
    switch (write.kind) {
      case 'submission': {
        const { version } = await this.submissions.insertNextVersion(manager, write.submission);
        return { version };
      }
      case 'answer_remark':
        await this.remarks.answerRemark(manager, write.remarkId, write.answer, write.by, write.submissionId);
        return {};
      case 'remark':
        await this.remarks.insertRemark(manager, write.remark);
        return {};
      case 'reopen_remark':
        await this.remarks.reopenRemark(manager, write.remarkId);
        return {};
      case 'accept_remarks':
        await this.remarks.acceptRemarks(manager, write.remarkIds, write.by);
        return {};
      case 'best_practice':
        await this.practices.publish(manager, write.practice);
        return {};
      case 'agreement':
        return { agreementId: await this.agreements.insertAgreement(manager, write.agreement) };
      case 'confirm_agreement': {
        const confirmed = await this.agreements.confirmAgreement(manager, write.agreementId, write.party, write.by, write.documentId);
        return { status: confirmed.status, confirmedParties: Object.keys(confirmed.confirmations).sort() };
      }
      case 'participants':
        await this.participants.replaceParticipants(write.cycleId, write.rows, manager);
        return {};
    }
  }
}

/** The record repository over one database, with the repositories it writes through. */
export function taskRecordRepository(dataSource: DataSource): TaskRecordRepository {
  return new TaskRecordRepository(
    new SubmissionRepository(dataSource),
    new RemarkRepository(dataSource),
    new AgreementRepository(dataSource),
    new CycleParticipantRepository(dataSource),
    new PracticeRepository(dataSource),
    new ExtensionRequestRepository(dataSource),
  );
}
