/**
 * Partner schools. The municipality proposes one partner for each of its participant schools from the suggestions
 * (GET /api/cycles/:id/partners/suggestions, POST /api/tasks/:id/pairs); then each party confirms the agreement, the
 * municipality attaching the signed document (POST /api/tasks/:id/confirm-agreement).
 */
import { useMutation, useQueries, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Descriptions, Empty, Form, Input, Radio, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import { LoadError, Loading } from '../../components/states';
import { formatDateTime, formatNumber } from '../../format';
import { DocumentLink, DocumentPicker } from './DocumentPicker';
import { useAfterTaskAction, type Agreement, type TaskContext, type TaskDetail } from './queries';
import { uploadDocument } from './upload';

type Suggestion = Schemas['PartnerSuggestionView'];

const COMMENT_MAX = 4000;

export function ProposePairsPanel({ task, context }: { task: TaskDetail; context: TaskContext }) {
  const { message } = App.useApp();
  const after = useAfterTaskAction(task.id);
  const municipalityId = context.subjectOrganizationId;
  const participants = useQuery({
    queryKey: ['work', 'participants', context.cycleId],
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/participants', { params: { path: { cycleId: context.cycleId } } })),
  });
  const ours = (participants.data ?? []).filter((p) => p.included && p.municipalityId === municipalityId);
  const suggestions = useQueries({
    queries: ours.map((p) => ({
      queryKey: ['work', 'suggestions', context.cycleId, p.schoolId],
      queryFn: () =>
        unwrap(
          api.GET('/api/cycles/{cycleId}/partners/suggestions', {
            params: { path: { cycleId: context.cycleId }, query: { schoolId: p.schoolId, limit: 10 } },
          }),
        ),
    })),
  });
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);

  const propose = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/tasks/{taskId}/pairs', {
          params: { path: { taskId: task.id } },
          body: {
            pairs: ours.map((p) => ({ schoolId: p.schoolId, partnerSchoolId: chosen[p.schoolId] })),
            ...(comment.trim() ? { comment: comment.trim() } : {}),
          },
        }),
      ),
    onSuccess: async (result) => {
      void message.success(`Пары предложены: соглашений ${result.agreements.length}; стороны получат задачи на подтверждение`);
      await after();
    },
  });

  if (participants.isPending) return <Loading label="Загрузка школ-участников…" />;
  if (participants.isError) {
    return <LoadError error={participants.error} title="Не удалось загрузить школы-участники" onRetry={() => void participants.refetch()} />;
  }
  if (ours.length === 0) return <Empty description="В утверждённом списке нет школ вашего муниципалитета." />;

  return (
    <form
      aria-label="Пары школ"
      onSubmit={(event) => {
        event.preventDefault();
        const unpaired = ours.some((p) => !chosen[p.schoolId]);
        setMissing(unpaired);
        if (!unpaired) propose.mutate();
      }}
    >
      <Typography.Paragraph>
        Для каждой школы-участника выберите одну школу-партнёра. Предложены школы с высокими результатами из вашего или
        соседнего муниципалитета, у которых ещё есть место.
      </Typography.Paragraph>
      <Space orientation="vertical" size={16} style={{ width: '100%' }}>
        {ours.map((participant, index) => {
          const q = suggestions[index];
          const items: Suggestion[] = q?.data?.items ?? [];
          const unpaired = missing && !chosen[participant.schoolId];
          const groupId = `pair-${participant.schoolId}`;
          return (
            <Card
              key={participant.schoolId}
              size="small"
              title={<span id={groupId}>{participant.schoolName}</span>}
              extra={participant.schoolCode ? <Typography.Text type="secondary">код {participant.schoolCode}</Typography.Text> : undefined}
            >
              {q?.isPending ? (
                <Loading label="Подбор партнёров…" />
              ) : q?.isError ? (
                <LoadError error={q.error} title="Не удалось подобрать партнёров" onRetry={() => void q.refetch()} />
              ) : items.length === 0 ? (
                <Typography.Text type="secondary">
                  Подходящих школ-партнёров нет: обратитесь в министерство, чтобы уточнить результаты или состав участников.
                </Typography.Text>
              ) : (
                <Radio.Group
                  aria-labelledby={groupId}
                  value={chosen[participant.schoolId]}
                  onChange={(e) => setChosen((c) => ({ ...c, [participant.schoolId]: e.target.value as string }))}
                  style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
                >
                  {items.map((s) => (
                    <Radio key={s.schoolId} value={s.schoolId}>
                      <strong>{s.schoolName}</strong>{' '}
                      {s.sameMunicipality ? <Tag color="green">свой муниципалитет</Tag> : <Tag>{s.municipalityName ?? 'соседний муниципалитет'}</Tag>}
                      <div>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          Балл результатов {formatNumber(s.score, 2)} · уже партнёр для {s.currentLoad} из{' '}
                          {q?.data?.maxLoad ?? '—'} школ · {s.reason}
                        </Typography.Text>
                      </div>
                    </Radio>
                  ))}
                </Radio.Group>
              )}
              {unpaired && (
                <Typography.Text type="danger" role="alert" style={{ display: 'block', marginTop: 8 }}>
                  Выберите школу-партнёра
                </Typography.Text>
              )}
            </Card>
          );
        })}
        <div>
          <label htmlFor="pairs-comment" style={{ display: 'block', marginBottom: 4 }}>
            Комментарий
          </label>
          <Input.TextArea id="pairs-comment" rows={2} maxLength={COMMENT_MAX} value={comment} onChange={(e) => setComment(e.target.value)} />
        </div>
        {propose.isError && <Alert type="error" showIcon role="alert" title={errorMessage(propose.error)} />}
        <div>
          <Button type="primary" htmlType="submit" loading={propose.isPending}>
            Предложить пары
          </Button>
        </div>
      </Space>
    </form>
  );
}

const AGREEMENT_STATE: Record<Agreement['status'], { text: string; color: string }> = {
  proposed: { text: 'ожидает подтверждений', color: 'blue' },
  signed: { text: 'подписано всеми сторонами', color: 'green' },
  cancelled: { text: 'отменено', color: 'default' },
};

const PARTY_TITLE: Record<string, string> = {
  school: 'Школа-участник',
  partner: 'Школа-партнёр',
  municipality: 'Муниципалитет',
};

/**
 * The agreement names the municipality by id only; a confirmation task names it as its assignee (the municipality's
 * own task) or its supervisor (the schools' tasks).
 */
function municipalityName(task: TaskDetail, agreement: Agreement): string {
  if (task.assignee.id === agreement.municipalityId) return task.assignee.name;
  if (task.supervisor.id === agreement.municipalityId) return task.supervisor.name;
  return 'Муниципальный орган управления образованием';
}

/** The party of a confirmation task: '1-municipality' → 'municipality'. */
function partyOf(context: TaskContext): string | undefined {
  return context.party?.split('-').slice(1).join('-') || undefined;
}

export function ConfirmAgreementPanel({ task, context, canAct }: { task: TaskDetail; context: TaskContext; canAct: boolean }) {
  const { message } = App.useApp();
  const after = useAfterTaskAction(task.id);
  const agreements = useQuery({
    queryKey: ['work', 'agreements', context.cycleId],
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/agreements', { params: { path: { cycleId: context.cycleId } } })),
  });
  const [file, setFile] = useState<File | undefined>();
  const [fileError, setFileError] = useState<string | undefined>();
  const [progress, setProgress] = useState<number | undefined>();
  const [comment, setComment] = useState('');
  const party = partyOf(context);
  const needsDocument = context.document === 'required' || party === 'municipality';

  const confirm = useMutation({
    mutationFn: async () => {
      let documentId: string | undefined;
      if (file) {
        setProgress(0);
        documentId = (await uploadDocument(file, task.assignee.id, setProgress)).id;
      }
      return unwrap(
        api.POST('/api/tasks/{taskId}/confirm-agreement', {
          params: { path: { taskId: task.id } },
          body: { ...(documentId ? { documentId } : {}), ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      );
    },
    onSuccess: async (result) => {
      void message.success(`Соглашение подтверждено: ${result.partyTitle}`);
      await after();
    },
    onError: () => setProgress(undefined),
  });

  if (agreements.isPending) return <Loading label="Загрузка соглашения…" />;
  if (agreements.isError) {
    return <LoadError error={agreements.error} title="Не удалось загрузить соглашение" onRetry={() => void agreements.refetch()} />;
  }
  const agreement = agreements.data.find((a) => a.id === context.agreementId);
  if (!agreement) return <Alert type="warning" showIcon title="Соглашение не найдено среди соглашений цикла, доступных вам." />;
  const confirmation = (key: string) => agreement.confirmations[key];
  const state = AGREEMENT_STATE[agreement.status];

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Descriptions
        bordered
        size="small"
        column={1}
        styles={{ label: { width: 220 } }}
        title="Соглашение о сетевом взаимодействии"
        items={[
          { key: 'state', label: 'Состояние', children: <Tag color={state.color}>{state.text}</Tag> },
          ...(['school', 'partner', 'municipality'] as const).map((key) => {
            const c = confirmation(key);
            const name = key === 'school' ? agreement.schoolName : key === 'partner' ? agreement.partnerSchoolName : municipalityName(task, agreement);
            return {
              key,
              label: `${PARTY_TITLE[key]}${key === party ? ' (вы)' : ''}`,
              children: (
                <Space orientation="vertical" size={0}>
                  <span>{name}</span>
                  {c ? (
                    <Typography.Text type="success">
                      Подтвердил(а) {c.by}, {formatDateTime(c.at, task.timeZone)}
                    </Typography.Text>
                  ) : (
                    <Typography.Text type="secondary">ещё не подтвердил(а)</Typography.Text>
                  )}
                </Space>
              ),
            };
          }),
          {
            key: 'doc',
            label: 'Подписанное соглашение',
            children: agreement.documentId ? <DocumentLink id={agreement.documentId} /> : <Typography.Text type="secondary">не приложено</Typography.Text>,
          },
          { key: 'proposed', label: 'Предложено', children: `${agreement.proposedBy}, ${formatDateTime(agreement.proposedAt, task.timeZone)}` },
        ]}
      />
      {canAct && agreement.status === 'proposed' && (
        <Card size="small">
          <form
            aria-label="Подтверждение соглашения"
            onSubmit={(event) => {
              event.preventDefault();
              if (needsDocument && !file) {
                setFileError('Приложите подписанное соглашение');
                return;
              }
              confirm.mutate();
            }}
          >
            <Form layout="vertical" component={false}>
              {needsDocument && (
                <DocumentPicker
                  label="Подписанное соглашение"
                  required
                  file={file}
                  error={fileError}
                  progress={progress}
                  onChange={(f, error) => {
                    setFile(f);
                    setFileError(error);
                    setProgress(undefined);
                  }}
                />
              )}
              <Form.Item label="Комментарий" htmlFor="confirm-comment">
                <Input.TextArea id="confirm-comment" rows={2} maxLength={COMMENT_MAX} value={comment} onChange={(e) => setComment(e.target.value)} />
              </Form.Item>
            </Form>
            {confirm.isError && <Alert type="error" showIcon role="alert" title={errorMessage(confirm.error)} style={{ marginBottom: 16 }} />}
            <Button type="primary" htmlType="submit" loading={confirm.isPending}>
              Подтвердить соглашение
            </Button>
          </form>
        </Card>
      )}
    </Space>
  );
}
