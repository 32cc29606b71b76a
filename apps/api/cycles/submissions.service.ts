import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FormDefinition, ResolvedReview, ResolvedStep } from '../../../libs/contracts/cycle-template';
import { compareFormValues, validateFormValues } from '../../../libs/domain/forms';
import { CycleRepository, DocumentRepository, type RemarkRow, type SubmissionRow } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { CycleTaskService, type CycleTask } from './cycle-task.service';
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

    const openRemarks = (await this.cycles.listRemarks(cycle.id, context.stepKey, context.subjectOrganizationId)).filter(
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

    let version = 0;
    let submissionId = '';
    const result = await this.cycleTasks.completeWith(user, task, async (manager) => {
      version = await this.cycles.nextSubmissionVersion(manager, cycle.id, context.stepKey, context.subjectOrganizationId, context.periodId ?? null);
      const submission = await this.cycles.insertSubmission(manager, {
        cycleId: cycle.id,
        taskId,
        stageId: context.stageId,
        stepKey: context.stepKey,
        action: context.action,
        organizationId: task.snapshot.assigneeOrganizationId,
        subjectOrganizationId: context.subjectOrganizationId,
        periodId: context.periodId ?? null,
        round: context.round ?? 1,
        version,
        documentId: dto.documentId ?? null,
        form: dto.form ?? null,
        comment: dto.comment ?? null,
        submittedBy: user.email,
      });
      submissionId = submission.id;
      for (const [remarkId, answer] of answers) await this.cycles.answerRemark(manager, remarkId, answer, user.email, submission.id);
      return {
        result: { submissionId: submission.id, comment: dto.comment },
        auditType: 'submission_made',
        auditData: { submissionId: submission.id, version, stepKey: context.stepKey, periodId: context.periodId, answeredRemarks: [...answers.keys()] },
      };
    });
    return { submissionId, comment: result.comment, version };
  }

  async review(user: AuthUser, taskId: string, dto: ReviewDto): Promise<ReviewResultView> {
    const task = await this.cycleTasks.requireActionable(user, taskId, ['review']);
    this.access.assertRole(user, ['ministry_admin', 'ministry_reviewer', 'institute_curator', 'municipal_coordinator'], `рассмотрение ${taskId}`);
    const { context, cycle } = task;
    const step = findStep(task);
    const review = reviewOf(step);
    const submissions = await this.cycles.listSubmissions({ cycleId: cycle.id, stepKey: context.stepKey, subjectOrganizationId: context.subjectOrganizationId });
    const underReview = submissions.filter((s) => s.action !== 'review').at(-1);
    if (!underReview) throw new ConflictException('Нет представленной версии для рассмотрения');
    const remarks = await this.cycles.listRemarks(cycle.id, context.stepKey, context.subjectOrganizationId);
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

    const created: RemarkRow[] = [];
    const result = await this.cycleTasks.completeWith(user, task, async (manager) => {
      for (const text of newRemarks) {
        created.push(
          await this.cycles.insertRemark(manager, {
            cycleId: cycle.id,
            submissionId: underReview.id,
            stepKey: context.stepKey,
            subjectId: context.subjectOrganizationId,
            text,
            by: user.email,
          }),
        );
      }
      for (const id of reopen) await this.cycles.reopenRemark(manager, id);
      const answered = remarks.filter((r) => r.status === 'answered' && !reopen.has(r.id)).map((r) => r.id);
      if (dto.decision !== 'rejected') await this.cycles.acceptRemarks(manager, answered, user.email);
      if (dto.decision === 'approved' && step.kind === 'best_practice') await this.publishPractice(manager, task, underReview, user);
      return {
        result: { decision: dto.decision, submissionId: underReview.id, comment: dto.comment },
        auditType: `review_${dto.decision}`,
        auditData: {
          submissionId: underReview.id,
          version: underReview.version,
          round,
          remarks: created.map((r) => ({ id: r.id, text: r.text })),
          reopened: [...reopen],
          accepted: dto.decision === 'rejected' ? [] : answered,
          comment: dto.comment,
        },
      };
    });
    return { decision: dto.decision, submissionId: underReview.id, comment: result.comment, remarks: created.map(mapRemark) };
  }

  async versions(user: AuthUser, cycleId: string, stepKey: string, subjectId: string): Promise<VersionsView> {
    await this.access.assertCanRead(user, subjectId, `версии документа ${stepKey}`);
    const versions = (await this.cycles.listSubmissions({ cycleId, stepKey, subjectOrganizationId: subjectId })).filter((s) => s.action !== 'review');
    if (versions.length === 0 && !(await this.cycles.findCycle(cycleId))) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    const remarks = await this.cycles.listRemarks(cycleId, stepKey, subjectId);
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
  private async publishPractice(manager: EntityManager, task: CycleTask, submission: SubmissionRow, user: AuthUser): Promise<void> {
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
    await manager.query(
      `INSERT INTO best_practices (cycle_id, school_id, submission_id, title, summary, body, keywords, status, published_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'published', $8) ON CONFLICT DO NOTHING`,
      [
        task.cycle.id,
        task.context.subjectOrganizationId,
        submission.id,
        text(titleField?.id) || findStep(task).title,
        sections[0] ? text(sections[0].id) : '',
        sections.map((f) => `${f.title}\n${text(f.id)}`).join('\n\n'),
        keywords,
        user.email,
      ],
    );
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
