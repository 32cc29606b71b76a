/**
 * The reviewer's side (POST /api/tasks/:id/review): the version under review with its form and document, the versions
 * side by side with what changed, the answers to earlier remarks (each may be reopened), and the decision: approve,
 * return with remarks (each its own item), or reject with the reason.
 */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Empty, Flex, Form, Input, Radio, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { countOf, formatDateTime } from '../../format';
import { DocumentLink } from './DocumentPicker';
import type { FormDef } from './form-definition';
import { fieldAtPath } from './form-values';
import { FormValuesView, valueText } from './FormValuesView';
import { useAfterTaskAction, useStepForm, useVersions, workKeys, type RemarkView, type SubmissionView, type TaskContext, type TaskDetail } from './queries';
import './work.css';

type FieldChange = Schemas['FieldChangeView'];
type Decision = Schemas['ReviewDto']['decision'];

const COMMENT_MAX = 4000;

const REMARK_STATUS: Record<RemarkView['status'], { text: string; color: string }> = {
  open: { text: 'ждёт ответа', color: 'orange' },
  answered: { text: 'отвечено', color: 'blue' },
  accepted: { text: 'учтено', color: 'green' },
};

const CHANGE_TEXT: Record<FieldChange['change'], { text: string; color?: string }> = {
  changed: { text: 'изменено', color: 'gold' },
  added: { text: 'добавлено', color: 'green' },
  removed: { text: 'удалено', color: 'red' },
  same: { text: 'без изменений' },
};

export function ReviewPanel({ task, context, canDecide }: { task: TaskDetail; context: TaskContext; canDecide: boolean }) {
  const versions = useVersions(context);
  const step = useStepForm(context);
  if (versions.isPending || step.isPending) return <Loading label="Загрузка представленного документа…" />;
  if (versions.isError) {
    return <LoadError error={versions.error} title="Не удалось загрузить версии документа" onRetry={() => void versions.refetch()} />;
  }
  // Without the form's definition the values are still shown, field by field, by the comparison's titles.
  const form = step.form;
  const all = versions.data.versions;
  const latest = all.at(-1);
  if (!latest) return <Empty description="Документ ещё не представлен: рассматривать пока нечего." />;
  return (
    <Space orientation="vertical" size={24} style={{ width: '100%' }}>
      {Boolean(step.error) && <Alert type="warning" showIcon title="Форма шаблона не загрузилась" description={errorMessage(step.error)} />}
      <VersionCard version={latest} form={form} zone={task.timeZone} title={`Представленная версия ${latest.version}`} />
      <CompareVersions context={context} versions={all} form={form} />
      <RemarksHistory remarks={versions.data.remarks} versions={all} zone={task.timeZone} />
      {canDecide && (
        <DecisionForm
          task={task}
          remarks={versions.data.remarks}
          round={context.round ?? 1}
          maxRounds={step.step?.maxRounds}
        />
      )}
    </Space>
  );
}

function VersionCard({ version, form, zone, title }: { version: SubmissionView; form?: FormDef; zone: string; title: string }) {
  return (
    <section aria-label={title}>
      <Typography.Title level={3} style={{ fontSize: 17 }}>
        {title}
      </Typography.Title>
      <Descriptions
        bordered
        size="small"
        column={1}
        styles={{ label: { width: 200 } }}
        style={{ marginBottom: 16 }}
        items={[
          { key: 'by', label: 'Представил', children: `${version.submittedBy}, ${formatDateTime(version.submittedAt, zone)}` },
          {
            key: 'doc',
            label: 'Документ',
            children: version.documentId ? <DocumentLink id={version.documentId} /> : <Typography.Text type="secondary">не приложен</Typography.Text>,
          },
          ...(version.comment ? [{ key: 'comment', label: 'Комментарий', children: <span className="pre-wrap">{version.comment}</span> }] : []),
        ]}
      />
      {(form || version.form) && <FormValuesView form={form} values={version.form} />}
    </section>
  );
}

function CompareVersions({ context, versions, form }: { context: TaskContext; versions: SubmissionView[]; form?: FormDef }) {
  const numbers = versions.map((v) => v.version);
  const [from, setFrom] = useState(numbers.at(-2) ?? 0);
  const [to, setTo] = useState(numbers.at(-1) ?? 0);
  const [onlyChanges, setOnlyChanges] = useState(true);
  const enabled = versions.length >= 2 && from !== to;
  const compare = useQuery({
    queryKey: workKeys.compare(context.cycleId, context.stepKey, context.subjectOrganizationId, from, to),
    queryFn: () =>
      unwrap(
        api.GET('/api/cycles/{cycleId}/steps/{stepKey}/subjects/{organizationId}/compare', {
          params: {
            path: { cycleId: context.cycleId, stepKey: context.stepKey, organizationId: context.subjectOrganizationId },
            query: { from, to },
          },
        }),
      ),
    enabled,
  });
  const rows = useMemo(
    () => (compare.data?.fields ?? []).filter((f) => !onlyChanges || f.change !== 'same'),
    [compare.data, onlyChanges],
  );

  if (versions.length < 2) {
    return (
      <section aria-label="Сравнение версий">
        <Typography.Title level={3} style={{ fontSize: 17 }}>
          Сравнение версий
        </Typography.Title>
        <Typography.Text type="secondary">Это первая версия: сравнивать не с чем.</Typography.Text>
      </section>
    );
  }
  const options = numbers.map((n) => ({ value: n, label: `версия ${n}` }));
  return (
    <section aria-label="Сравнение версий">
      <Typography.Title level={3} style={{ fontSize: 17 }}>
        Сравнение версий
      </Typography.Title>
      <Flex gap={16} wrap align="center" style={{ marginBottom: 12 }}>
        <label>
          Было:{' '}
          <Select aria-label="Ранняя версия" value={from} onChange={setFrom} options={options} style={{ width: 130 }} />
        </label>
        <label>
          Стало:{' '}
          <Select aria-label="Поздняя версия" value={to} onChange={setTo} options={options} style={{ width: 130 }} />
        </label>
        <label>
          <Switch checked={onlyChanges} onChange={setOnlyChanges} size="small" aria-label="Только изменения" /> Только изменения
        </label>
      </Flex>
      {!enabled ? (
        <Typography.Text type="secondary">Выберите две разные версии.</Typography.Text>
      ) : compare.isError ? (
        <LoadError error={compare.error} title="Не удалось сравнить версии" onRetry={() => void compare.refetch()} />
      ) : (
        <>
          {compare.data && (
            <Typography.Paragraph>
              Документ: {compare.data.documentChanged ? <Tag color="gold">заменён</Tag> : <Tag>тот же</Tag>}
              {compare.data.documentChanged && compare.data.to.documentId && (
                <>
                  {' '}
                  новый: <DocumentLink id={compare.data.to.documentId} />
                </>
              )}
            </Typography.Paragraph>
          )}
          <Table<FieldChange>
            size="small"
            bordered
            loading={compare.isPending}
            rowKey="path"
            dataSource={rows}
            pagination={false}
            scroll={{ x: 640 }}
            rowClassName={(row) => `change-${row.change}`}
            locale={{ emptyText: <EmptyState>{onlyChanges ? 'Поля формы не изменились.' : 'В форме нет полей.'}</EmptyState> }}
            columns={[
              { title: 'Поле', dataIndex: 'title', key: 'title', width: '30%' },
              {
                title: `Версия ${from}`,
                key: 'before',
                render: (_v, row) => (
                  <span className={row.change === 'changed' || row.change === 'removed' ? 'value-before pre-wrap' : 'pre-wrap'}>
                    {valueText(row.before, fieldAtPath(form, row.path))}
                  </span>
                ),
              },
              {
                title: `Версия ${to}`,
                key: 'after',
                render: (_v, row) => <span className="pre-wrap">{valueText(row.after, fieldAtPath(form, row.path))}</span>,
              },
              {
                title: 'Изменение',
                key: 'change',
                width: 140,
                render: (_v, row) => <Tag color={CHANGE_TEXT[row.change].color}>{CHANGE_TEXT[row.change].text}</Tag>,
              },
            ]}
          />
        </>
      )}
    </section>
  );
}

function RemarksHistory({ remarks, versions, zone }: { remarks: RemarkView[]; versions: SubmissionView[]; zone: string }) {
  if (remarks.length === 0) return null;
  const versionOf = (submissionId: string | null) => versions.find((v) => v.id === submissionId)?.version;
  return (
    <section aria-label="Замечания">
      <Typography.Title level={3} style={{ fontSize: 17 }}>
        Замечания
      </Typography.Title>
      {remarks.map((r, i) => (
        <Card size="small" key={r.id} className="remark-card" title={`Замечание ${i + 1} к версии ${versionOf(r.submissionId) ?? '—'}`} extra={<Tag color={REMARK_STATUS[r.status].color}>{REMARK_STATUS[r.status].text}</Tag>}>
          <Typography.Paragraph className="pre-wrap" style={{ marginBottom: 4 }}>
            {r.text}
          </Typography.Paragraph>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.createdBy}, {formatDateTime(r.createdAt, zone)}
          </Typography.Text>
          {r.answer && (
            <div style={{ marginTop: 8 }}>
              <strong>Ответ{versionOf(r.answeredInSubmissionId) ? ` (версия ${versionOf(r.answeredInSubmissionId)})` : ''}:</strong>{' '}
              <span className="pre-wrap">{r.answer}</span>
            </div>
          )}
        </Card>
      ))}
    </section>
  );
}

interface DecisionValues {
  decision: Decision;
  remarks?: string[];
  reopen?: string[];
  comment?: string;
}

function DecisionForm({ task, remarks, round, maxRounds }: { task: TaskDetail; remarks: RemarkView[]; round: number; maxRounds?: number }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<DecisionValues>();
  const decision = Form.useWatch('decision', form);
  const after = useAfterTaskAction(task.id);
  const answered = remarks.filter((r) => r.status === 'answered');
  const roundsLeft = maxRounds === undefined ? undefined : maxRounds + 1 - round;
  const canReturn = roundsLeft === undefined || roundsLeft > 0;

  const review = useMutation({
    mutationFn: (values: DecisionValues) => {
      const newRemarks = (values.remarks ?? []).map((r) => r.trim()).filter(Boolean);
      const comment = values.comment?.trim();
      return unwrap(
        api.POST('/api/tasks/{id}/review', {
          params: { path: { id: task.id } },
          body: {
            decision: values.decision,
            ...(values.decision === 'returned' && newRemarks.length > 0 ? { remarks: newRemarks } : {}),
            ...(values.decision === 'returned' && values.reopen?.length ? { reopenRemarkIds: values.reopen } : {}),
            ...(comment ? { comment } : {}),
          },
        }),
      );
    },
    onSuccess: async (result) => {
      const text: Record<Decision, string> = {
        approved: 'Документ утверждён',
        returned: `Документ возвращён на доработку (замечаний: ${result.remarks.length})`,
        rejected: 'Документ отклонён',
      };
      void message.success(text[result.decision]);
      await after();
    },
  });

  return (
    <section aria-label="Решение">
      <Typography.Title level={3} style={{ fontSize: 17 }}>
        Решение
      </Typography.Title>
      <Card size="small">
        <Form<DecisionValues>
          form={form}
          layout="vertical"
          initialValues={{ decision: undefined, remarks: [''], reopen: [] }}
          onFinish={(values) => review.mutate(values)}
          disabled={review.isPending}
        >
          <Form.Item label="Решение по версии" name="decision" rules={[{ required: true, message: 'Выберите решение' }]}>
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              options={[
                { value: 'approved', label: 'Утвердить' },
                { value: 'returned', label: 'Вернуть на доработку', disabled: !canReturn },
                { value: 'rejected', label: 'Отклонить' },
              ]}
            />
          </Form.Item>
          {!canReturn && (
            <Alert
              type="info"
              showIcon
              style={{ marginBottom: 16 }}
              title={`Доработки по шаблону исчерпаны (${maxRounds ?? 0}): документ можно только утвердить или отклонить.`}
            />
          )}
          {canReturn && roundsLeft !== undefined && decision === 'returned' && (
            <Typography.Paragraph type="secondary">
              Это рассмотрение {round}-й версии; вернуть на доработку можно ещё {countOf(roundsLeft, { one: 'раз', few: 'раза', many: 'раз' })}.
            </Typography.Paragraph>
          )}

          {decision === 'returned' && answered.length > 0 && (
            <Form.Item
              label="Ответы на прежние замечания, которые не учтены"
              name="reopen"
              extra="Отмеченные замечания откроются снова; остальные отвеченные будут считаться учтёнными."
            >
              <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
                {answered.map((r) => (
                  <Checkbox key={r.id} value={r.id}>
                    <span className="pre-wrap">
                      {r.text} — <em>ответ: {r.answer ?? '—'}</em>
                    </span>
                  </Checkbox>
                ))}
              </Checkbox.Group>
            </Form.Item>
          )}

          {decision === 'returned' && (
            <Form.List
              name="remarks"
              rules={[
                {
                  validator: async (_rule, items: string[] | undefined) => {
                    const reopen = form.getFieldValue('reopen') as string[] | undefined;
                    if (!(items ?? []).some((t) => t?.trim()) && !reopen?.length) {
                      throw new Error('Сформулируйте хотя бы одно замечание');
                    }
                  },
                },
              ]}
            >
              {(items, { add, remove }, { errors }) => (
                <div style={{ marginBottom: 16 }}>
                  {items.map((item, index) => (
                    <Flex key={item.key} gap={8} align="start">
                      <Form.Item
                        name={item.name}
                        label={`Замечание ${index + 1}`}
                        style={{ flex: 1 }}
                        rules={[{ max: COMMENT_MAX, message: 'Не длиннее 4000 символов' }]}
                      >
                        <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} maxLength={COMMENT_MAX} />
                      </Form.Item>
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        aria-label={`Удалить замечание ${index + 1}`}
                        title="Удалить замечание"
                        onClick={() => remove(item.name)}
                        style={{ marginTop: 30 }}
                        disabled={items.length === 1}
                      />
                    </Flex>
                  ))}
                  <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')}>
                    Добавить замечание
                  </Button>
                  <Form.ErrorList errors={errors} />
                </div>
              )}
            </Form.List>
          )}

          {decision && (
            <Form.Item
              label={decision === 'rejected' ? 'Причина отклонения' : 'Комментарий'}
              name="comment"
              rules={decision === 'rejected' ? [{ required: true, whitespace: true, message: 'Укажите причину отклонения' }] : []}
            >
              <Input.TextArea rows={3} maxLength={COMMENT_MAX} showCount />
            </Form.Item>
          )}

          {review.isError && (
            <Alert type="error" showIcon role="alert" title={errorMessage(review.error)} style={{ marginBottom: 16 }} />
          )}
          <Button
            type="primary"
            danger={decision === 'rejected'}
            htmlType="submit"
            loading={review.isPending}
          >
            {decision === 'returned' ? 'Вернуть на доработку' : decision === 'rejected' ? 'Отклонить' : decision === 'approved' ? 'Утвердить' : 'Принять решение'}
          </Button>
        </Form>
      </Card>
    </section>
  );
}
