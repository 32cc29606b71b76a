/** Adding a school to the list or leaving a proposed one out: the school and the ministry's reason, kept with the list. */
import { Form, Input, Modal, Select, Typography } from 'antd';
import type { ListChange } from './queries';

export interface SchoolOption {
  id: string;
  label: string;
}

export interface ChangeRequest {
  mode: 'add' | 'remove';
  /** Fixed when the modal is opened from the ranking's row. */
  school?: SchoolOption;
}

interface ChangeModalProps {
  request: ChangeRequest | null;
  /** Schools that may be added (not proposed by the ranking, not yet added). */
  addable: SchoolOption[];
  onClose(): void;
  onDone(change: ListChange, mode: 'add' | 'remove'): void;
}

interface Values {
  schoolId: string;
  reason: string;
}

export function ChangeModal({ request, addable, onClose, onDone }: ChangeModalProps) {
  const [form] = Form.useForm<Values>();
  const mode = request?.mode ?? 'add';
  const adding = mode === 'add';
  return (
    <Modal
      open={request !== null}
      title={adding ? 'Добавить школу в список' : 'Исключить школу из списка'}
      okText={adding ? 'Добавить' : 'Исключить'}
      okButtonProps={{ danger: !adding }}
      cancelText="Отмена"
      destroyOnHidden
      onCancel={onClose}
      onOk={() => {
        form
          .validateFields()
          .then((values) => {
            onDone({ schoolId: request?.school?.id ?? values.schoolId, reason: values.reason.trim() }, mode);
            onClose();
          })
          .catch(() => undefined);
      }}
    >
      <Form form={form} layout="vertical" preserve={false} requiredMark="optional">
        {request?.school ? (
          <Typography.Paragraph>
            Школа: <strong>{request.school.label}</strong>
          </Typography.Paragraph>
        ) : (
          <Form.Item name="schoolId" label="Школа" rules={[{ required: true, message: 'Выберите школу' }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              placeholder="Начните вводить название или код"
              options={addable.map((s) => ({ value: s.id, label: s.label }))}
              notFoundContent="Нет школ, которые можно добавить"
            />
          </Form.Item>
        )}
        <Form.Item
          name="reason"
          label={adding ? 'Причина добавления' : 'Причина исключения'}
          extra="Причина сохраняется в утверждённом списке и в журнале аудита."
          rules={[{ required: true, whitespace: true, message: 'Укажите причину решения' }]}
        >
          <Input.TextArea rows={3} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
