/**
 * «Запросы на продление»: the ministry grants (the task's deadline moves) or refuses each request, citing its basis
 * (GET /api/extension-requests, POST /api/extension-requests/:id/decision). Other organisations see their own
 * requests and the decisions.
 */
import { useMutation } from '@tanstack/react-query';
import { Alert, App, Button, Flex, Form, Input, Modal, Segmented, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, errorMessage, unwrap, useMe } from '../../api/client';
import { EmptyState, LoadError } from '../../components/states';
import { formatDateTime, zoneLabel } from '../../format';
import { isMinistry } from '../../layout/roles';
import { EXTENSION_STATUS, localText, useExtensionRequests } from './ExtensionRequests';
import { useAfterTaskAction, type ExtensionRequest } from './queries';
import './work.css';

type Filter = ExtensionRequest['status'] | 'all';
const BASIS_MAX = 900;

function isFilter(value: string | null): value is Filter {
  return value === 'pending' || value === 'granted' || value === 'refused' || value === 'all';
}

export function ExtensionRequestsPage() {
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const filter: Filter = isFilter(raw) ? raw : 'pending';
  const requests = useExtensionRequests(filter === 'all' ? undefined : filter);
  const [deciding, setDeciding] = useState<{ request: ExtensionRequest; decision: 'granted' | 'refused' } | undefined>();
  const decides = me.data ? isMinistry(me.data.role) : false;

  const columns: TableProps<ExtensionRequest>['columns'] = [
    {
      title: 'Задача',
      key: 'task',
      render: (_v, r) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/tasks/${encodeURIComponent(r.taskId)}`}>{r.taskTitle ?? r.taskId}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.organizationName ?? r.organizationId}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: 'Срок сейчас',
      key: 'current',
      render: (_v, r) => (r.currentDueAt && r.timeZone ? formatDateTime(r.currentDueAt, r.timeZone) : '—'),
    },
    {
      title: 'Просят до',
      key: 'proposed',
      render: (_v, r) => (
        <Space orientation="vertical" size={0}>
          <strong style={{ whiteSpace: 'nowrap' }}>
            {r.proposedDueAt && r.timeZone ? formatDateTime(r.proposedDueAt, r.timeZone) : localText(r.proposedLocalDateTime)}
          </strong>
          {r.timeZone && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {zoneLabel(r.timeZone, r.proposedDueAt ?? r.createdAt)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: 'Причина',
      key: 'reason',
      render: (_v, r) => (
        <Space orientation="vertical" size={0}>
          <span className="pre-wrap">{r.reason}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.requestedBy}
            {r.timeZone ? `, ${formatDateTime(r.createdAt, r.timeZone)}` : ''}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: 'Решение',
      key: 'status',
      render: (_v, r) =>
        r.canDecide ? (
          <div className="work-actions">
            <Button type="primary" size="small" onClick={() => setDeciding({ request: r, decision: 'granted' })} aria-label={`Продлить срок: ${r.taskTitle ?? r.taskId}`}>
              Продлить
            </Button>
            <Button danger size="small" onClick={() => setDeciding({ request: r, decision: 'refused' })} aria-label={`Отказать: ${r.taskTitle ?? r.taskId}`}>
              Отказать
            </Button>
          </div>
        ) : (
          <Space orientation="vertical" size={0}>
            <Tag color={EXTENSION_STATUS[r.status].color}>{EXTENSION_STATUS[r.status].text}</Tag>
            {r.status === 'pending' && decides && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                Решает организация, контролирующая задачу{r.supervisorOrganizationId ? ` («${r.supervisorOrganizationId}»)` : ''}
              </Typography.Text>
            )}
            {r.decisionBasis && <span className="pre-wrap">Основание: {r.decisionBasis}</span>}
            {r.decidedBy && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {r.decidedBy}
                {r.decidedAt && r.timeZone ? `, ${formatDateTime(r.decidedAt, r.timeZone)}` : ''}
              </Typography.Text>
            )}
          </Space>
        ),
    },
  ];

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 28, marginTop: 0 }}>
        Запросы на продление
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {decides
          ? 'Исполнители просят перенести срок задачи. Продлите срок или откажите, указав основание решения: оно попадёт в историю задачи и в журнал аудита.'
          : 'Запросы вашей организации на перенос срока и решения министерства по ним.'}
      </Typography.Paragraph>
      <Flex gap={12} align="center" wrap style={{ marginBottom: 16 }}>
        <span id="ext-filter-label">Показать:</span>
        <Segmented<Filter>
          aria-labelledby="ext-filter-label"
          value={filter}
          onChange={(value) => setParams(value === 'pending' ? {} : { status: value }, { replace: true })}
          options={[
            { value: 'pending', label: 'Ожидают решения' },
            { value: 'granted', label: 'Продлены' },
            { value: 'refused', label: 'Отказано' },
            { value: 'all', label: 'Все' },
          ]}
        />
      </Flex>
      {requests.isError ? (
        <LoadError error={requests.error} title="Не удалось загрузить запросы" onRetry={() => void requests.refetch()} />
      ) : (
        <Table<ExtensionRequest>
          rowKey="id"
          columns={columns}
          dataSource={requests.data}
          loading={requests.isFetching}
          scroll={{ x: 900 }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{
            emptyText: requests.isPending ? (
              ' '
            ) : (
              <EmptyState>
                {filter === 'pending' ? 'Запросов, ожидающих решения, нет.' : 'Запросов с таким решением нет.'}
              </EmptyState>
            ),
          }}
        />
      )}
      {deciding && <DecisionModal {...deciding} onClose={() => setDeciding(undefined)} />}
    </>
  );
}

function DecisionModal({ request, decision, onClose }: { request: ExtensionRequest; decision: 'granted' | 'refused'; onClose: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ basis: string }>();
  const after = useAfterTaskAction(request.taskId);
  const decide = useMutation({
    mutationFn: (basis: string) =>
      unwrap(
        api.POST('/api/extension-requests/{id}/decision', {
          params: { path: { id: request.id } },
          body: { decision, basis: basis.trim() },
        }),
      ),
    onSuccess: async (result) => {
      void message.success(
        result.status === 'granted'
          ? `Срок продлён${result.currentDueAt && result.timeZone ? ` до ${formatDateTime(result.currentDueAt, result.timeZone)}` : ''}`
          : 'В продлении отказано',
      );
      onClose();
      await after();
    },
  });
  const grant = decision === 'granted';
  return (
    <Modal
      open
      title={grant ? 'Продлить срок' : 'Отказать в продлении'}
      okText={grant ? 'Продлить срок' : 'Отказать'}
      okButtonProps={{ danger: !grant }}
      cancelText="Отмена"
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={decide.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph>
        <strong>{request.taskTitle ?? request.taskId}</strong>
        <br />
        {request.organizationName ?? request.organizationId} просит срок до {localText(request.proposedLocalDateTime)}.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={(v) => decide.mutate(v.basis)} disabled={decide.isPending}>
        <Form.Item
          label="Основание решения"
          name="basis"
          extra="Например: письмо министерства от 12.12.2026 № 45-01/2026"
          rules={[
            { required: true, whitespace: true, message: 'Укажите основание решения' },
            { max: BASIS_MAX, message: `Не длиннее ${BASIS_MAX} символов` },
          ]}
        >
          <Input.TextArea rows={3} maxLength={BASIS_MAX} showCount />
        </Form.Item>
        {decide.isError && <Alert type="error" showIcon role="alert" title={errorMessage(decide.error)} />}
      </Form>
    </Modal>
  );
}

export default ExtensionRequestsPage;
