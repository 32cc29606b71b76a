/**
 * Naming a deputy for a person of the region (POST /api/substitutions with personEmail; a ministry administrator may
 * do it for anyone of the region): from the first to the last day, in the person's organisation's zone, their
 * e-mails go to the deputy, who may act for the organisation.
 */
import { Alert, App, DatePicker, Form, Input, Modal } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { formatLocalDate } from '../../format';
import { showFieldErrors } from './form-errors';
import type { Person } from './labels';
import { PersonPicker } from './PersonPicker';
import { useCreateSubstitution } from './queries';

interface Values {
  deputyEmail: string;
  period: [Dayjs, Dayjs];
  reason: string;
}

export function DeputyModal({ person, onClose }: { person: Person | null; onClose(): void }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const create = useCreateSubstitution();
  const [alert, setAlert] = useState<string>();

  const submit = async () => {
    setAlert(undefined);
    const v = await form.validateFields().catch(() => undefined);
    if (!v || !person) return;
    try {
      const s = await create.mutateAsync({
        personEmail: person.email,
        deputyEmail: v.deputyEmail.trim(),
        startsOn: v.period[0].format('YYYY-MM-DD'),
        endsOn: v.period[1].format('YYYY-MM-DD'),
        reason: v.reason.trim(),
      });
      void message.success(
        `Замещение назначено: ${s.person.fullName}; заместитель — ${s.deputy.fullName}, ${formatLocalDate(s.startsOn)}–${formatLocalDate(s.endsOn)}`,
      );
      onClose();
    } catch (error) {
      setAlert(showFieldErrors(form, error, ['deputyEmail', 'reason']));
    }
  };

  return (
    <Modal
      open={person !== null}
      title={`Назначить заместителя: ${person?.fullName ?? ''}`}
      okText="Назначить"
      cancelText="Отмена"
      confirmLoading={create.isPending}
      destroyOnHidden
      onCancel={onClose}
      onOk={() => void submit()}
    >
      <Form<Values> form={form} layout="vertical" preserve={false} requiredMark="optional">
        <Form.Item
          name="deputyEmail"
          label="Заместитель"
          extra="Начните вводить фамилию или адрес; заместитель должен иметь вход в систему"
          rules={[
            { required: true, whitespace: true, message: 'Укажите заместителя' },
            { type: 'email', message: 'Выберите сотрудника из списка или введите адрес электронной почты' },
          ]}
        >
          <PersonPicker withLogin exclude={person ? [person.email] : []} placeholder="Фамилия или электронная почта" />
        </Form.Item>
        <Form.Item
          name="period"
          label="Период замещения"
          extra="Первый и последний день включительно, по времени организации сотрудника; не больше года"
          rules={[{ required: true, message: 'Укажите первый и последний день' }]}
        >
          <DatePicker.RangePicker format="DD.MM.YYYY" placeholder={['первый день', 'последний день']} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          name="reason"
          label="Причина"
          rules={[
            { required: true, whitespace: true, message: 'Укажите причину (отпуск, командировка…)' },
            { max: 500, message: 'Не длиннее 500 символов' },
          ]}
        >
          <Input maxLength={500} placeholder="Ежегодный оплачиваемый отпуск" />
        </Form.Item>
        {alert && <Alert type="error" showIcon role="alert" title={alert} />}
      </Form>
    </Modal>
  );
}
