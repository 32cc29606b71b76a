/**
 * What the task page offers to do, by the task's action: a plain task is marked done; a cycle task is answered with
 * its form and document, reviewed, answered with partner pairs, or confirmed as an agreement's party. The work
 * screens themselves live in pages/work.
 */
import { Alert, Card, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Me, Schemas } from '../../api/client';
import { TaskExtensionRequests } from '../work/ExtensionRequests';
import { ConfirmAgreementPanel, ProposePairsPanel } from '../work/PartnershipPanels';
import { ReviewPanel } from '../work/ReviewPanel';
import { SubmitPanel } from '../work/SubmitPanel';
import { CompleteTaskForm } from './TaskForms';
import { ACTION_TEXT } from './task-labels';

type TaskDetail = Schemas['TaskDetailView'];

/** Whether the person may act on the task: its organisation's own people, or a deputy of one of them. */
export function canAct(me: Me, task: TaskDetail): boolean {
  if (task.status !== 'open' || me.role === 'auditor') return false;
  return me.organizationId === task.assignee.id || me.actingFor.some((p) => p.organizationId === task.assignee.id);
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} style={{ marginTop: 24 }}>
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        {title}
      </Typography.Title>
      {children}
    </section>
  );
}

function documentNote(document: 'required' | 'optional' | 'none' | undefined): string | undefined {
  if (document === 'required') return 'К ответу нужно приложить документ.';
  if (document === 'optional') return 'Документ можно приложить по желанию.';
  return undefined;
}

/** The open task's work: what is asked, and the form to do it for those who may. */
export function TaskWork({ task, me }: { task: TaskDetail; me: Me }) {
  const allowed = canAct(me, task);
  const notAllowed = (
    <Typography.Paragraph type="secondary">
      {me.role === 'auditor'
        ? 'Аудитор просматривает задачу без права действий.'
        : `Выполнить задачу могут сотрудники организации «${task.assignee.name}» и их заместители.`}
    </Typography.Paragraph>
  );
  const extension = <TaskExtensionRequests task={task} canAsk={allowed} />;

  if (!task.cycle) {
    return (
      <>
        <Section title="Выполнение">
          {allowed ? (
            <Card size="small">
              <CompleteTaskForm task={task} />
            </Card>
          ) : (
            notAllowed
          )}
        </Section>
        {extension}
      </>
    );
  }

  const context = task.cycle;
  const { action } = context;
  let work: ReactNode;
  switch (action) {
    case 'submit':
    case 'report':
    case 'describe_practice':
    case 'perform':
      work = allowed ? (
        <Card size="small">
          <SubmitPanel task={task} context={context} />
        </Card>
      ) : (
        notAllowed
      );
      break;
    case 'review':
      // Whoever may read the task sees what is under review; only the reviewer's organisation decides.
      work = (
        <>
          {!allowed && notAllowed}
          <ReviewPanel task={task} context={context} canDecide={allowed} />
        </>
      );
      break;
    case 'propose_pairs':
      work = allowed ? (
        <Card size="small">
          <ProposePairsPanel task={task} context={context} />
        </Card>
      ) : (
        notAllowed
      );
      break;
    case 'confirm_agreement':
      work = (
        <>
          {!allowed && notAllowed}
          <ConfirmAgreementPanel task={task} context={context} canAct={allowed} />
        </>
      );
      break;
    case 'approve_list':
      // The ranking and the list are approved from the cycle's screens, not from the task.
      work = (
        <Alert
          type="info"
          showIcon
          title="Список утверждается по результатам идентификации"
          description={
            <>
              Загрузите результаты оценочных процедур и социальные паспорта, проверьте рейтинг и утвердите список школ на
              странице <Link to={`/cycles/${encodeURIComponent(context.cycleId)}/identification`}>идентификации школ цикла «{context.cycleId}»</Link>. Когда список
              утверждён, эта задача выполняется сама.
            </>
          }
        />
      );
      break;
  }

  return (
    <>
      <Section title="Что нужно сделать">
        <Alert type="info" showIcon title={ACTION_TEXT[action]} description={documentNote(context.document)} style={{ marginBottom: 16 }} />
        {work}
      </Section>
      {extension}
    </>
  );
}
