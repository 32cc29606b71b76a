/**
 * Asking for a later deadline from the task page (POST /api/tasks/:id/extension-requests) and the requests already
 * made for the task, with the ministry's decision.
 */
import { ClockCircleOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Form, Input, List, Modal, Space, Tag, TimePicker, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { formatDateTimeInZone, localIsoDate, zoneLabel } from '../../format';
import { useAfterTaskAction, workKeys, type ExtensionRequest, type TaskDetail } from './queries';

const REASON_MAX = 1000;

export const EXTENSION_STATUS: Record<ExtensionRequest['status'], { text: string; color: string }> = {
  pending: { text: 'ожидает решения', color: 'orange' },
  granted: { text: 'срок продлён', color: 'green' },
  refused: { text: 'отказано', color: 'red' },
};

/** «2026-12-22T18:00» (local to the task's zone) as 22.12.2026 18:00. */
export function localText(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?/.exec(local);
  if (!m) return local;
  return `${m[3]}.${m[2]}.${m[1]}${m[4] ? ` ${m[4]}` : ''}`;
}

export function useExtensionRequests(status?: ExtensionRequest['status']) {
  return useQuery({
    queryKey: workKeys.extensionRequests(status),
    queryFn: () => unwrap(api.GET('/api/extension-requests', { params: { query: status ? { status } : {} } })),
  });
}

interface AskValues {
  date: Dayjs;
  time?: Dayjs;
  reason: string;
}

/** The task page's block: the requests for this task and, for its assignee, the button to ask. */
export function TaskExtensionRequests({ task, canAsk }: { task: TaskDetail; canAsk: boolean }) {
  const requests = useExtensionRequests();
  const mine = (requests.data ?? []).filter((r) => r.taskId === task.id);
  const pending = mine.some((r) => r.status === 'pending');
  const [open, setOpen] = useState(false);
  if (!canAsk && mine.length === 0) return null;
  return (
    <section aria-label="Продление срока" style={{ marginTop: 24 }}>
      <Typography.Title level={2} style={{ fontSize: 20 }}>
        Продление срока
      </Typography.Title>
      {requests.isError && <Alert type="warning" showIcon title="Не удалось загрузить запросы на продление" description={errorMessage(requests.error)} />}
      {mine.length > 0 && (
        <List
          size="small"
          bordered
          style={{ marginBottom: 12 }}
          dataSource={mine}
          renderItem={(r) => (
            <List.Item>
              <Space orientation="vertical" size={2}>
                <span>
                  <Tag color={EXTENSION_STATUS[r.status].color}>{EXTENSION_STATUS[r.status].text}</Tag> до {localText(r.proposedLocalDateTime)}
                  {r.timeZone ? ` (${zoneLabel(r.timeZone, r.proposedDueAt ?? r.createdAt)})` : ''}
                </span>
                <Typography.Text className="pre-wrap">Причина: {r.reason}</Typography.Text>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  Запросил(а) {r.requestedBy}
                  {r.decidedBy ? `; решение: ${r.decidedBy}${r.decisionBasis ? `, основание: ${r.decisionBasis}` : ''}` : ''}
                </Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      )}
      {canAsk && task.status === 'open' && (
        <>
          <Button icon={<ClockCircleOutlined />} onClick={() => setOpen(true)} disabled={pending}>
            Попросить продлить срок
          </Button>
          {pending && (
            <Typography.Text type="secondary" style={{ marginLeft: 12 }}>
              Запрос уже ждёт решения министерства.
            </Typography.Text>
          )}
          <AskModal task={task} open={open} onClose={() => setOpen(false)} />
        </>
      )}
    </section>
  );
}

function AskModal({ task, open, onClose }: { task: TaskDetail; open: boolean; onClose: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm<AskValues>();
  const after = useAfterTaskAction(task.id);
  const dueDay = localIsoDate(task.dueAt, task.timeZone);
  const ask = useMutation({
    mutationFn: (values: AskValues) => {
      const date = values.date.format('YYYY-MM-DD');
      const dueAt = values.time ? `${date}T${values.time.format('HH:mm')}` : date;
      return unwrap(
        api.POST('/api/tasks/{taskId}/extension-requests', {
          params: { path: { taskId: task.id } },
          body: { dueAt, reason: values.reason.trim() },
        }),
      );
    },
    onSuccess: async () => {
      void message.success('Запрос на продление отправлен в министерство');
      form.resetFields();
      onClose();
      await after();
    },
  });
  return (
    <Modal
      open={open}
      title="Запрос на продление срока"
      okText="Отправить запрос"
      cancelText="Отмена"
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={ask.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        Сейчас срок — {formatDateTimeInZone(task.dueAt, task.timeZone)}. Новый срок указывается по местному времени задачи; без
        времени — конец рабочего дня. Решение примет министерство.
      </Typography.Paragraph>
      <Form<AskValues> form={form} layout="vertical" onFinish={(values) => ask.mutate(values)} disabled={ask.isPending}>
        <Space wrap align="start">
          <Form.Item label="Новый срок" name="date" rules={[{ required: true, message: 'Укажите дату' }]}>
            <DatePicker
              format="DD.MM.YYYY"
              placeholder="дд.мм.гггг"
              disabledDate={(d) => d.format('YYYY-MM-DD') < dueDay}
              defaultPickerValue={dayjs(dueDay)}
            />
          </Form.Item>
          <Form.Item label="Время (необязательно)" name="time">
            <TimePicker format="HH:mm" minuteStep={15} placeholder="чч:мм" />
          </Form.Item>
        </Space>
        <Form.Item
          label="Причина"
          name="reason"
          rules={[
            { required: true, whitespace: true, message: 'Объясните, почему нужен новый срок' },
            { max: REASON_MAX, message: `Не длиннее ${REASON_MAX} символов` },
          ]}
        >
          <Input.TextArea rows={4} maxLength={REASON_MAX} showCount />
        </Form.Item>
        {ask.isError && <Alert type="error" showIcon role="alert" title={errorMessage(ask.error)} />}
      </Form>
    </Modal>
  );
}
