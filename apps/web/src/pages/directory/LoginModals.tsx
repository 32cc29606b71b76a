/**
 * The ministry administrator's changes to one person's log-in: a new role (PATCH …/people/:personId) and a new
 * initial password or a first log-in (POST …/people/:personId/password). Either takes effect at once; a new password
 * ends every session the person has open.
 */
import { Alert, App, Form, Modal, Select, Typography } from 'antd';
import { useState } from 'react';
import { ROLE_TITLES } from '../audit/labels';
import { showFieldErrors } from './form-errors';
import type { OrganizationDetail, Person, Role } from './labels';
import { PasswordFormItem } from './PasswordFormItem';
import { useSetPassword, useUpdatePerson } from './queries';

interface ModalProps {
  organization: OrganizationDetail;
  person: Person | null;
  onClose(): void;
}

export function RoleModal({ organization, person, onClose }: ModalProps) {
  const [form] = Form.useForm<{ role: Role }>();
  const { message } = App.useApp();
  const update = useUpdatePerson(organization.id);
  const [alert, setAlert] = useState<string>();

  const submit = async () => {
    setAlert(undefined);
    const v = await form.validateFields().catch(() => undefined);
    if (!v || !person) return;
    try {
      const changed = await update.mutateAsync({ personId: person.id, body: { role: v.role } });
      void message.success(`Роль изменена: ${changed.fullName} — ${changed.role ? ROLE_TITLES[changed.role] : 'без роли'}`);
      onClose();
    } catch (error) {
      setAlert(showFieldErrors(form, error, ['role']));
    }
  };

  return (
    <Modal
      open={person !== null}
      title={`Роль сотрудника: ${person?.fullName ?? ''}`}
      okText="Сохранить"
      cancelText="Отмена"
      confirmLoading={update.isPending}
      destroyOnHidden
      onCancel={onClose}
      onOk={() => void submit()}
    >
      <Typography.Paragraph type="secondary">
        Новая роль действует сразу, со следующего действия сотрудника: ему не нужно входить заново.
      </Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ role: person?.role }}>
        <Form.Item name="role" label="Роль" rules={[{ required: true, message: 'Выберите роль' }]}>
          <Select options={organization.assignableRoles.map((r) => ({ value: r, label: ROLE_TITLES[r] }))} />
        </Form.Item>
        {alert && <Alert type="error" showIcon role="alert" title={alert} />}
      </Form>
    </Modal>
  );
}

/** A new initial password, or — for someone who only receives e-mails — a first log-in with a role. */
export function PasswordModal({ organization, person, onClose }: ModalProps) {
  const [form] = Form.useForm<{ password: string; role?: Role }>();
  const { message } = App.useApp();
  const setPassword = useSetPassword(organization.id);
  const [alert, setAlert] = useState<string>();
  const granting = person?.login === 'none';
  const roles = organization.assignableRoles;

  const submit = async () => {
    setAlert(undefined);
    const v = await form.validateFields().catch(() => undefined);
    if (!v || !person) return;
    try {
      const changed = await setPassword.mutateAsync({
        personId: person.id,
        body: { password: v.password, ...(granting && v.role ? { role: v.role } : {}) },
      });
      void message.success(
        granting
          ? `Вход выдан: ${changed.fullName}`
          : changed.login === 'withdrawn'
            ? `Пароль изменён: ${changed.fullName}; вход по-прежнему закрыт`
            : `Пароль изменён: ${changed.fullName}; все открытые сеансы завершены`,
      );
      onClose();
    } catch (error) {
      setAlert(showFieldErrors(form, error, ['password', 'role']));
    }
  };

  return (
    <Modal
      open={person !== null}
      title={granting ? `Выдать вход: ${person?.fullName ?? ''}` : `Новый пароль: ${person?.fullName ?? ''}`}
      okText={granting ? 'Выдать вход' : 'Задать пароль'}
      cancelText="Отмена"
      confirmLoading={setPassword.isPending}
      destroyOnHidden
      onCancel={onClose}
      onOk={() => void submit()}
    >
      <Typography.Paragraph type="secondary">
        {granting
          ? `Сотрудник будет входить с адресом ${person?.email ?? ''} и этим паролем.`
          : 'Прежний пароль перестанет действовать, а все открытые сеансы сотрудника завершатся сразу.'}
      </Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} initialValues={{ role: roles.length === 1 ? roles[0] : undefined }}>
        {granting && (
          <Form.Item name="role" label="Роль" rules={[{ required: true, message: 'Выберите роль' }]}>
            <Select options={roles.map((r) => ({ value: r, label: ROLE_TITLES[r] }))} placeholder="Выберите роль" />
          </Form.Item>
        )}
        <PasswordFormItem form={form} label={granting ? 'Начальный пароль' : 'Новый пароль'} />
        {alert && <Alert type="error" showIcon role="alert" title={alert} />}
      </Form>
    </Modal>
  );
}
