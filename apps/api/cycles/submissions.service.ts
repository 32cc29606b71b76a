import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FormDefinition, ResolvedReview, ResolvedStep } from '../../../libs/contracts/cycle-template';
import type { CycleRecordWrite } from '../../../libs/contracts/task-record';
import { compareFormValues, validateFormValues } from '../../../libs/domain/forms';
import { CycleRepository, DocumentRepository, RemarkRepository, SubmissionRepository, type SubmissionRow } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { CycleTaskService, submissionWrite, type CycleTask } from './cycle-task.service';
import {
  mapRemark,
  mapSubmission,
  type ComparisonView,
  type ReviewDto,
  type ReviewResultView,
  type SubmitDto,
  type SubmitResultView,
  type VersionsView,
} from './submission.dto';

/** Submissions (plans, programmes, reports, practices) and their review in rounds with remarks. */
@Injectable()
export class SubmissionsService {
  constructor(
    private readonly cycleTasks: CycleTaskService,
    private readonly cycles: CycleRepository,
    private readonly submissions: SubmissionRepository,
    private readonly remarks: RemarkRepository,
    private readonly documents: DocumentRepository,
    private readonly access: AccessPolicy,
  ) {}

  async submit(user: AuthUser, taskId: string, dto: SubmitDto): Promise<SubmitResultView> {
    const task = await this.cycleTasks.requireActionable(user, taskId, ['submit', 'report', 'describe_practice', 'perform']);
    const { context, cycle } = task;
    const form = this.cycleTasks.form(cycle, context.formId);
    if (form) {
      if (!dto.form) throw new UnprocessableEntityException(`Заполните форму «${form.title}»`);
      const problems = validateFormValues(form, dto.form);
      if (problems.length) {
        throw new BadRequestException({ message: `Форма «${form.title}» заполнена с ошибками`, details: problems.map((p) => `${p.path}: ${p.message}`) });
      }
    } else if (dto.form) {
      throw new UnprocessableEntityException('Эта задача не предусматривает заполнения формы');
    }
    if (context.document === 'required' && !dto.documentId) {
      throw new UnprocessableEntityException('Приложите документ: загрузите его через POST /api/documents и укажите documentId');
    }
    if (context.document === 'none' && dto.documentId) throw new UnprocessableEntityException('Эта задача не предусматривает документа');
    if (dto.documentId) await this.requireDocument(user, dto.documentId, task.snapshot.assigneeOrganizationId);

    const openRemarks = (await this.remarks.listRemarks(cycle.id, context.stepKey, context.subjectOrganizationId)).filter(
      (r) => r.status === 'open',
    );
    const answers = new Map((dto.remarkAnswers ?? []).map((a) => [a.remarkId, a.answer]));
    for (const remarkId of answers.keys()) {
      if (!openRemarks.some((r) => r.id === remarkId)) {
        throw new UnprocessableEntityException(`Замечание ${remarkId} не относится к этой версии или уже не открыто`);
      }
    }
    const unanswered = openRemarks.filter((r) => !answers.has(r.id));
    if (unanswered.length > 0) {
      throw new UnprocessableEntityException({
        message: `Ответьте на каждое открытое замечание (${unanswered.length}) в remarkAnswers`,
        details: unanswered.map((r) => `${r.id}: ${r.text}`),
      });
    }

    // Stored with the task's completion by its projection (CycleTaskService.completeWith), which numbers the version.
    const submissionId = randomUUID();
    const result = await this.cycleTasks.completeWith(user, task, {
      result: { submissionId, comment: dto.comment },
      writes: [
        submissionWrite(user, task, { id: submissionId, documentId: dto.documentId ?? null, form: dto.form ?? null, comment: dto.comment ?? null }),
        ...[...answers].map(([remarkId, answer]) => ({ kind: 'answer_remark' as const, remarkId, answer, by: user.email, submissionId })),
      ],
      auditType: 'submission_made',
      auditData: { submissionId, stepKey: context.stepKey, periodId: context.periodId, answeredRemarks: [...answers.keys()] },
    });
    const stored = await this.submissions.findSubmission(submissionId);
    return { submissionId, comment: result.comment, version: stored?.version ?? 0 };
  }

  async review(user: AuthUser, taskId: string, dto: ReviewDto): Promise<ReviewResultView> {
    const task = await this.cycleTasks.requireActionable(user, taskId, ['review']);
    this.access.assertRole(user, ['ministry_admin', 'ministry_reviewer', 'institute_curator', 'municipal_coordinator'], `рассмотрение ${taskId}`);
    const { context, cycle } = task;
    const step = findStep(task);
    const review = reviewOf(step);
    const submissions = await this.submissions.listSubmissions({ cycleId: cycle.id, stepKey: context.stepKey, subjectOrganizationId: context.subjectOrganizationId });
    const underReview = submissions.filter((s) => s.action !== 'review').at(-1);
    if (!underReview) throw new ConflictException('Нет представленной версии для рассмотрения');
    const remarks = await this.remarks.listRemarks(cycle.id, context.stepKey, context.subjectOrganizationId);
    const reopen = new Set(dto.reopenRemarkIds ?? []);
    for (const id of reopen) {
      const remark = remarks.find((r) => r.id === id);
      if (!remark || remark.status !== 'answered') throw new UnprocessableEntityException(`Замечание ${id} не найдено среди отвеченных`);
    }
    const newRemarks = dto.remarks ?? [];
    const round = context.round ?? 1;

    switch (dto.decision) {
      case 'returned':
        if (newRemarks.length === 0 && reopen.size === 0) {
          throw new UnprocessableEntityException('Чтобы вернуть на доработку, сформулируйте замечания (remarks) или откройте повторно неучтённые');
        }
        if (round >= (review?.maxRounds ?? 1) + 1) {
          throw new UnprocessableEntityException(
            `Исчерпано число доработок по шаблону (${review?.maxRounds ?? 0}); утвердите или отклоните документ`,
          );
        }
        break;
      case 'approved':
        if (newRemarks.length > 0 || reopen.size > 0) {
          throw new UnprocessableEntityException('Нельзя утвердить документ с новыми или повторно открытыми замечаниями; верните его на доработку');
        }
        if (remarks.some((r) => r.status === 'open')) {
          throw new UnprocessableEntityException('Утверждение невозможно, пока есть открытые замечания');
        }
        break;
      case 'rejected':
        if (!dto.comment) throw new UnprocessableEntityException('Укажите в comment причину отклонения');
        break;
    }

    // Stored with the task's completion by its projection (CycleTaskService.completeWith).
    const created = newRemarks.map((text) => ({ id: randomUUID(), text }));
    const answered = remarks.filter((r) => r.status === 'answered' && !reopen.has(r.id)).map((r) => r.id);
    const writes: CycleRecordWrite[] = [
      ...created.map((r) => ({
        kind: 'remark' as const,
        remark: { id: r.id, cycleId: cycle.id, submissionId: underReview.id, stepKey: context.stepKey, subjectId: context.subjectOrganizationId, text: r.text, by: user.email },
      })),
      ...[...reopen].map((remarkId) => ({ kind: 'reopen_remark' as const, remarkId })),
      ...(dto.decision !== 'rejected' ? [{ kind: 'accept_remarks' as const, remarkIds: answered, by: user.email }] : []),
      ...(dto.decision === 'approved' && step.kind === 'best_practice' ? [this.practiceOf(task, underReview, user)] : []),
    ];
    const result = await this.cycleTasks.completeWith(user, task, {
      result: { decision: dto.decision, submissionId: underReview.id, comment: dto.comment },
      writes,
      auditType: `review_${dto.decision}`,
      auditData: {
        submissionId: underReview.id,
        version: underReview.version,
        round,
        remarks: created,
        reopened: [...reopen],
        accepted: dto.decision === 'rejected' ? [] : answered,
        comment: dto.comment,
      },
    });
    const createdIds = new Set<string>(created.map((r) => r.id));
    const stored = (await this.remarks.listRemarks(cycle.id, context.stepKey, context.subjectOrganizationId)).filter((r) => createdIds.has(r.id));
    return { decision: dto.decision, submissionId: underReview.id, comment: result.comment, remarks: stored.map(mapRemark) };
  }

  async versions(user: AuthUser, cycleId: string, stepKey: string, subjectId: string): Promise<VersionsView> {
    await this.access.assertCanRead(user, subjectId, `версии документа ${stepKey}`);
    const versions = (await this.submissions.listSubmissions({ cycleId, stepKey, subjectOrganizationId: subjectId })).filter((s) => s.action !== 'review');
    if (versions.length === 0 && !(await this.cycles.findCycle(cycleId))) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    const remarks = await this.remarks.listRemarks(cycleId, stepKey, subjectId);
    return { cycleId, stepKey, subjectOrganizationId: subjectId, versions: versions.map(mapSubmission), remarks: remarks.map(mapRemark) };
  }

  async compare(user: AuthUser, cycleId: string, stepKey: string, subjectId: string, from: number, to: number): Promise<ComparisonView> {
    const { versions, remarks } = await this.versions(user, cycleId, stepKey, subjectId);
    const left = versions.find((v) => v.version === from);
    const right = versions.find((v) => v.version === to);
    if (!left || !right) throw new NotFoundException(`Версии ${from} и ${to} документа не найдены; есть: ${versions.map((v) => v.version).join(', ') || 'нет'}`);
    const cycle = await this.cycles.findCycle(cycleId);
    const step = cycle?.plan.stages.flatMap((s) => s.steps).find((s) => s.key === stepKey);
    const formId = step?.submission?.form ?? step?.bestPractice?.form ?? step?.monitoringForm;
    const form: FormDefinition = (formId && cycle?.plan.forms[formId]) || { title: '', fields: [] };
    return {
      from: left,
      to: right,
      fields: compareFormValues(form, left.form, right.form),
      documentChanged: left.documentId !== right.documentId,
      remarksAnswered: remarks.filter((r) => r.answeredInSubmissionId === right.id),
    };
  }

  private async requireDocument(user: AuthUser, documentId: string, organizationId: string): Promise<void> {
    const document = await this.documents.findMeta(documentId);
    if (!document) throw new UnprocessableEntityException(`Документ ${documentId} не найден; сначала загрузите его`);
    if (document.organizationId !== organizationId && !this.access.canActFor(user, document.organizationId)) {
      throw new UnprocessableEntityException('Документ загружен другой организацией');
    }
  }

  /**
   * An approved practice goes to the bank. Templates name their practice fields freely, so the title is the field
   * whose id says "title", keywords the one that says "keyword", and the text is every other text field under its
   * heading: all of it searchable.
   */
  private practiceOf(task: CycleTask, submission: SubmissionRow, user: AuthUser): CycleRecordWrite {
    const values = submission.form ?? {};
    // The task here is the review; the practice's form is the step's.
    const fields = (this.cycleTasks.form(task.cycle, findStep(task).bestPractice?.form)?.fields ?? []).filter((f) => f.type === 'text');
    const text = (id: string | undefined): string => (id && typeof values[id] === 'string' ? (values[id] as string).trim() : '');
    const titleField = fields.find((f) => /title|name/i.test(f.id));
    const keywordField = fields.find((f) => /keyword/i.test(f.id));
    const sections = fields.filter((f) => f !== titleField && f !== keywordField && text(f.id));
    const keywords = text(keywordField?.id)
      .split(/[,;]/)
      .map((k) => k.trim())
      .filter(Boolean);
    return {
      kind: 'best_practice',
      practice: {
        cycleId: task.cycle.id,
        schoolId: task.context.subjectOrganizationId,
        submissionId: submission.id,
        title: text(titleField?.id) || findStep(task).title,
        summary: sections[0] ? text(sections[0].id) : '',
        body: sections.map((f) => `${f.title}\n${text(f.id)}`).join('\n\n'),
        keywords,
        publishedBy: user.email,
      },
    };
  }
}

function findStep(task: CycleTask): ResolvedStep {
  const step = task.cycle.plan.stages.flatMap((s) => s.steps).find((s) => s.key === task.context.stepKey);
  if (!step) throw new NotFoundException(`Шаг «${task.context.stepKey}» не найден в плане цикла`);
  return step;
}

function reviewOf(step: ResolvedStep): ResolvedReview | undefined {
  return step.kind === 'best_practice' ? step.bestPractice?.review : step.review;
}
