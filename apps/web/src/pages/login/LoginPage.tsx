import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { api, errorMessage, meQueryKey, unwrap } from '../../api/client';

interface Credentials {
  email: string;
  password: string;
}

/** Only a path of this app: `next=//evil.example` or `next=https://…` must not send the person elsewhere. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/login')
    ? next
    : '/tasks';
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const login = useMutation({
    mutationFn: (body: Credentials) => unwrap(api.POST('/api/auth/session', { body })),
    onSuccess: (me) => {
      queryClient.clear();
      queryClient.setQueryData(meQueryKey, me);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });

  return (
    <main className="login-page">
      <Card className="login-card">
        <Typography.Title level={1} style={{ fontSize: 24, marginTop: 0 }}>
          Вход в Uplift
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          Сроки и согласования программы поддержки школ с низкими результатами обучения
        </Typography.Paragraph>
        {login.isError && (
          <Alert type="error" showIcon role="alert" title={errorMessage(login.error)} style={{ marginBottom: 16 }} />
        )}
        <Form<Credentials>
          name="login"
          layout="vertical"
          requiredMark={false}
          onFinish={(values) => login.mutate({ email: values.email.trim(), password: values.password })}
          disabled={login.isPending}
        >
          <Form.Item
            label="Электронная почта"
            name="email"
            rules={[
              { required: true, message: 'Введите адрес электронной почты' },
              { type: 'email', message: 'Это не похоже на адрес электронной почты' },
            ]}
          >
            <Input type="email" autoComplete="username" autoFocus inputMode="email" />
          </Form.Item>
          <Form.Item label="Пароль" name="password" rules={[{ required: true, message: 'Введите пароль' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending}>
            Войти
          </Button>
        </Form>
      </Card>
    </main>
  );
}
