/**
 * `/account/password`: a person changes their own password (POST /api/auth/password). The API ends every session of
 * the person and renews this browser's cookies, so other devices are logged out and this one stays in; the page says
 * so. The rules are the API's, shown before typing and checked again there (its Russian reasons are shown as they come).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { api, errorMessage, meQueryKey, unwrap } from '../../api/client';
import { PASSWORD_MAX, PASSWORD_MIN, PASSWORD_RULES } from '../directory/labels';

interface Values {
  currentPassword: string;
  newPassword: string;
  repeat: string;
}

export default function ChangePasswordPage() {
  const [form] = Form.useForm<Values>();
  const queryClient = useQueryClient();
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: (values: Values) =>
      unwrap(api.POST('/api/auth/password', { body: { currentPassword: values.currentPassword, newPassword: values.newPassword } })),
    onSuccess: (answer) => {
      queryClient.setQueryData(meQueryKey, answer.user);
      form.resetFields();
      setDone(true);
    },
  });

  return (
    <Card title={<Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>Смена пароля</Typography.Title>} style={{ maxWidth: 560 }}>
      {done && (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ marginBottom: 16 }}
          title="Пароль изменён"
          description="Вход на других устройствах и в других браузерах завершён: там нужно войти заново с новым паролем."
        />
      )}
      {change.isError && <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }} title={errorMessage(change.error)} />}
      <Form<Values>
        form={form}
        layout="vertical"
        requiredMark={false}
        disabled={change.isPending}
        onFinish={(values) => {
          setDone(false);
          change.mutate(values);
        }}
      >
        <Form.Item label="Текущий пароль" name="currentPassword" rules={[{ required: true, message: 'Введите текущий пароль' }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          label="Новый пароль"
          name="newPassword"
          extra={PASSWORD_RULES}
          rules={[
            { required: true, message: 'Введите новый пароль' },
            { min: PASSWORD_MIN, message: `Не короче ${PASSWORD_MIN} символов` },
            { max: PASSWORD_MAX, message: `Не длиннее ${PASSWORD_MAX} символов` },
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          label="Новый пароль ещё раз"
          name="repeat"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: 'Повторите новый пароль' },
            ({ getFieldValue }) => ({
              validator: (_rule, value?: string) =>
                !value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('Пароли не совпадают')),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          Сменить пароль
        </Button>
      </Form>
    </Card>
  );
}
