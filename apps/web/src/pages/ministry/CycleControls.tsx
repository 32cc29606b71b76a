/**
 * The ministry's controls over a running cycle (ministry administrator): pause, resume, extend a stage for everyone,
 * cancel; and setting a date the roadmap left «по специальному графику». Each asks for its reason in a modal and
 * shows the API's Russian refusal there; on success the cycle's view is replaced by the API's answer. Extending and
 * cancelling take four eyes: the answer is a request waiting for a second person, which the modal says beforehand and
 * the dashboard's notice shows afterwards.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Flex, Form, Input, Modal, Select, TimePicker, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useState, type ReactNode } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { CALENDAR_LAST_YEAR, formatLocal, STAGE_STATUS } from './labels';
import { cycleActionKeys, isActionRequest, SECOND_PERSON_NOTE, type CycleAction } from './cycle-actions';
import { cycleKeys } from './queries';
import type { CycleView, StepDateToSet } from './types';

interface FormValues {
  reason: string;
  stageId?: string;
  date?: Dayjs;
  time?: Dayjs;
}

/** 'YYYY-MM-DD' (the end of that working day, as the API reads it) or 'YYYY-MM-DDTHH:mm', the plan's local time. */
function localDueAt(date: Dayjs, time?: Dayjs | null): string {
  return time ? `${date.format('YYYY-MM-DD')}T${time.format('HH:mm')}` : date.format('YYYY-MM-DD');
}

interface ControlModalProps {
  open: boolean;
  title: string;
  okText: string;
  danger?: boolean;
  intro?: ReactNode;
  /** Extra fields above the reason. */
  fields?: ReactNode;
  reasonLabel?: string;
  onClose(): void;
  submit(values: FormValues): Promise<CycleView | CycleAction>;
  successText: string;
}

function ControlModal({ open, title, okText, danger, intro, fields, reasonLabel, onClose, submit, successText }: ControlModalProps) {
  const [form] = Form.useForm<FormValues>();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: submit,
    onSuccess: async (answer) => {
      if (isActionRequest(answer)) {
        await queryClient.invalidateQueries({ queryKey: cycleActionKeys.all });
        void message.success('Запрос отправлен на подтверждение второму сотруднику министерства');
      } else {
        queryClient.setQueryData(cycleKeys.one(answer.id), answer);
        await queryClient.invalidateQueries({ queryKey: cycleKeys.all });
        void message.success(successText);
      }
      form.resetFields();
      onClose();
    },
  });
  return (
    <Modal
      open={open}
      title={title}
      okText={okText}
      cancelText="Отмена"
      okButtonProps={{ danger, loading: mutation.isPending }}
      onOk={() => {
        form
          .validateFields()
          .then((values) => mutation.mutate(values))
          .catch(() => undefined);
      }}
      onCancel={() => {
        mutation.reset();
        onClose();
      }}
      destroyOnHidden
      forceRender={false}
    >
      <Flex vertical gap={12}>
        {intro && <Typography.Paragraph style={{ margin: 0 }}>{intro}</Typography.Paragraph>}
        <Form form={form} layout="vertical" preserve={false} requiredMark="optional">
          {fields}
          <Form.Item
            name="reason"
            label={reasonLabel ?? 'Основание решения (приказ, письмо)'}
            rules={[{ required: true, whitespace: true, message: 'Укажите основание решения' }]}
          >
            <Input.TextArea rows={3} maxLength={1000} showCount />
          </Form.Item>
        </Form>
        {mutation.error && <Alert type="error" showIcon title={errorMessage(mutation.error)} />}
      </Flex>
    </Modal>
  );
}

function DateTimeFields({ latestLocal }: { latestLocal?: string }) {
  const latest = dayjs(latestLocal ? latestLocal.slice(0, 10) : `${CALENDAR_LAST_YEAR}-12-31`);
  return (
    <Flex wrap gap={12}>
      <Form.Item
        name="date"
        label="Новый срок"
        rules={[{ required: true, message: 'Укажите дату' }]}
        extra={
          latestLocal
            ? `Не позже ${formatLocal(latestLocal)}. Без времени — конец рабочего дня`
            : 'Без времени — конец рабочего дня (18:00, 17:00 в сокращённый день)'
        }
      >
        <DatePicker
          format="DD.MM.YYYY"
          disabledDate={(d) => d.isBefore(dayjs(), 'day') || d.isAfter(latest, 'day')}
        />
      </Form.Item>
      <Form.Item name="time" label="Время (необязательно)">
        <TimePicker format="HH:mm" minuteStep={5} needConfirm={false} />
      </Form.Item>
    </Flex>
  );
}

type Open = 'pause' | 'resume' | 'extend' | 'cancel' | undefined;

export function CycleControls({ cycle }: { cycle: CycleView }) {
  const [open, setOpen] = useState<Open>();
  const status = cycle.status;
  const id = cycle.id;
  const close = () => setOpen(undefined);
  const stages = (cycle.progress?.stages ?? []).filter((s) => s.status !== 'closed' && s.status !== 'cancelled');
  const active = status === 'running' || status === 'paused';
  if (!active) return null;

  return (
    <>
      <Flex wrap gap={8} role="group" aria-label="Управление циклом">
        {status === 'running' && <Button onClick={() => setOpen('pause')}>Приостановить</Button>}
        {status === 'paused' && (
          <Button type="primary" onClick={() => setOpen('resume')}>
            Возобновить
          </Button>
        )}
        <Button onClick={() => setOpen('extend')} disabled={stages.length === 0}>
          Продлить этап
        </Button>
        <Button danger onClick={() => setOpen('cancel')}>
          Отменить цикл
        </Button>
      </Flex>

      <ControlModal
        open={open === 'pause'}
        title="Приостановить цикл"
        okText="Приостановить"
        intro="Новые задачи не будут выдаваться до возобновления; уже выданные сохраняют свои сроки, напоминания и эскалации."
        onClose={close}
        successText="Цикл приостановлен"
        submit={({ reason }) => unwrap(api.POST('/api/cycles/{id}/pause', { params: { path: { id } }, body: { reason } }))}
      />
      <ControlModal
        open={open === 'resume'}
        title="Возобновить цикл"
        okText="Возобновить"
        intro="Задачи, которые ждали, будут выданы."
        onClose={close}
        successText="Цикл возобновлён"
        submit={({ reason }) => unwrap(api.POST('/api/cycles/{id}/resume', { params: { path: { id } }, body: { reason } }))}
      />
      <ControlModal
        open={open === 'extend'}
        title="Продлить этап для всех"
        okText="Запросить продление"
        intro={`Открытые задачи этапа получат новый срок, следующие будут выданы с ним. Время — местное время плана. ${SECOND_PERSON_NOTE}`}
        fields={
          <>
            <Form.Item name="stageId" label="Этап" rules={[{ required: true, message: 'Выберите этап' }]}>
              <Select
                options={stages.map((s) => ({
                  value: s.id,
                  label: `${s.title} (${STAGE_STATUS[s.status]?.text.toLowerCase() ?? s.status}${s.extendedTo ? `, продлён до ${formatLocal(s.extendedTo)}` : ''})`,
                }))}
              />
            </Form.Item>
            <DateTimeFields />
          </>
        }
        onClose={close}
        successText="Этап продлён"
        submit={({ reason, stageId, date, time }) =>
          unwrap(
            api.POST('/api/cycles/{id}/stages/{stageId}/extend', {
              params: { path: { id, stageId: stageId! } },
              body: { reason, dueAt: localDueAt(date!, time) },
            }),
          )
        }
      />
      <ControlModal
        open={open === 'cancel'}
        title="Отменить цикл"
        okText="Запросить отмену"
        danger
        intro={`Все открытые задачи цикла будут отменены, напоминания и эскалации остановлены. Отмену нельзя вернуть. ${SECOND_PERSON_NOTE}`}
        reasonLabel="Причина отмены и основание"
        onClose={close}
        successText="Цикл отменён"
        submit={({ reason }) => unwrap(api.POST('/api/cycles/{id}/cancel', { params: { path: { id } }, body: { reason } }))}
      />
    </>
  );
}

/** «Установить срок» for one step the roadmap left «по специальному графику». */
export function SetStepDeadline({ cycleId, step }: { cycleId: string; step: StepDateToSet }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)} aria-label={`Установить срок: ${step.title}`}>
        Установить срок
      </Button>
      <ControlModal
        open={open}
        title={`Срок: ${step.title}`}
        okText="Установить"
        intro={`В дорожной карте — «${step.wording}». Задачи шага будут выданы с этим сроком, напоминания начнутся с выдачи. Срок устанавливается один раз; позже его можно только продлить.`}
        fields={<DateTimeFields latestLocal={step.latestLocal} />}
        reasonLabel="Основание (приказ, график)"
        onClose={() => setOpen(false)}
        successText="Срок установлен"
        submit={({ reason, date, time }) =>
          unwrap(
            api.POST('/api/cycles/{id}/steps/{stepKey}/deadline', {
              params: { path: { id: cycleId, stepKey: step.stepKey } },
              body: { reason, dueAt: localDueAt(date!, time) },
            }),
          )
        }
      />
    </>
  );
}
