/**
 * Adding a person to an organisation (POST /api/organizations/:id/people): who receives its e-mails, and, when the
 * administrator gives one, a log-in with a role that fits the organisation and an initial password.
 */
import { Alert, App, Checkbox, Form, Input, Modal, Select, Switch } from 'antd';
import { useState } from 'react';
import { ROLE_TITLES } from '../audit/labels';
import { showFieldErrors } from './form-errors';
import type { OrganizationDetail, Role } from './labels';
import { PasswordFormItem } from './PasswordFormItem';
import { useAddPerson } from './queries';

interface Values {
  fullName: string;
  email: string;
  position?: string;
  isHead?: boolean;
  withLogin?: boolean;
  role?: Role;
  password?: string;
}

const FIELDS = ['fullName', 'email', 'position', 'isHead', 'role', 'password'] as const;

export function AddPersonModal({ organization, open, onClose }: { organization: OrganizationDetail; open: boolean; onClose(): void }) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const add = useAddPerson(organization.id);
  const [alert, setAlert] = useState<string>();
  const withLogin = Form.useWatch('withLogin', form) ?? false;
  const roles = organization.assignableRoles;

  const submit = async () => {
    setAlert(undefined);
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    try {
      const person = await add.mutateAsync({
        fullName: v.fullName.trim(),
        email: v.email.trim(),
        ...(v.position?.trim() ? { position: v.position.trim() } : {}),
        isHead: Boolean(v.isHead),
        ...(v.withLogin ? { role: v.role, password: v.password } : {}),
      });
      void message.success(
        person.login === 'active'
          ? `Сотрудник добавлен и может входить в систему: ${person.fullName}`
          : `Сотрудник добавлен, будет получать письма организации: ${person.fullName}`,
      );
      onClose();
    } catch (error) {
      setAlert(showFieldErrors(form, error, FIELDS));
    }
  };

  return (
    <Modal
      open={open}
      title={`Новый сотрудник: ${organization.name}`}
      okText="Добавить"
      cancelText="Отмена"
      confirmLoading={add.isPending}
      destroyOnHidden
      onCancel={onClose}
      onOk={() => void submit()}
      afterOpenChange={(visible) => {
        if (!visible) setAlert(undefined);
      }}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        requiredMark="optional"
        initialValues={{ withLogin: false, isHead: false, role: roles.length === 1 ? roles[0] : undefined }}
      >
        <Form.Item
          name="fullName"
          label="ФИО"
          rules={[
            { required: true, whitespace: true, message: 'Укажите фамилию, имя и отчество' },
            { max: 200, message: 'Не длиннее 200 символов' },
          ]}
        >
          <Input maxLength={200} placeholder="Сидорова Наталья Викторовна" />
        </Form.Item>
        <Form.Item
          name="email"
          label="Электронная почта"
          extra="На неё приходят напоминания и эскалации; она же — имя для входа"
          rules={[
            { required: true, whitespace: true, message: 'Укажите адрес электронной почты' },
            { type: 'email', message: 'Введите адрес электронной почты, например name@school.ru' },
            { max: 254, message: 'Не длиннее 254 символов' },
          ]}
        >
          <Input type="email" autoComplete="off" />
        </Form.Item>
        <Form.Item name="position" label="Должность" rules={[{ max: 200, message: 'Не длиннее 200 символов' }]}>
          <Input maxLength={200} placeholder="Директор" />
        </Form.Item>
        <Form.Item name="isHead" valuePropName="checked" extra="Руководителю приходит первая эскалация, когда организация опаздывает">
          <Checkbox>Руководитель организации</Checkbox>
        </Form.Item>
        <Form.Item name="withLogin" label="Вход в систему" valuePropName="checked" extra="Без входа сотрудник только получает письма">
          <Switch checkedChildren="выдать" unCheckedChildren="нет" />
        </Form.Item>
        {withLogin && (
          <>
            <Form.Item name="role" label="Роль" rules={[{ required: true, message: 'Выберите роль' }]}>
              <Select options={roles.map((r) => ({ value: r, label: ROLE_TITLES[r] }))} placeholder="Выберите роль" />
            </Form.Item>
            <PasswordFormItem form={form} />
          </>
        )}
        {alert && <Alert type="error" showIcon role="alert" title={alert} />}
      </Form>
    </Modal>
  );
}
