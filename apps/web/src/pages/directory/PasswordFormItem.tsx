/** The initial password field: its rules said beside it and checked before sending, and a generator. */
import { Button, Form, Input, Space, type FormInstance } from 'antd';
import { useState } from 'react';
import { generatePassword, PASSWORD_MAX, PASSWORD_MAX_BYTES, PASSWORD_MIN, PASSWORD_RULES, passwordBytes } from './labels';

export function PasswordFormItem({ form, label = 'Начальный пароль' }: { form: FormInstance; label?: string }) {
  const [visible, setVisible] = useState(false);
  return (
    <Form.Item label={label} htmlFor="password" required extra={PASSWORD_RULES}>
      <Space.Compact style={{ width: '100%' }}>
        <Form.Item
          name="password"
          noStyle
          rules={[
            { required: true, message: 'Задайте начальный пароль' },
            { min: PASSWORD_MIN, message: `Не короче ${PASSWORD_MIN} символов` },
            { max: PASSWORD_MAX, message: `Не длиннее ${PASSWORD_MAX} символов` },
            {
              validator: (_rule, value?: string) =>
                value && passwordBytes(value) > PASSWORD_MAX_BYTES
                  ? Promise.reject(new Error('Слишком длинный для русских букв: сократите пароль или используйте латиницу и цифры'))
                  : Promise.resolve(),
            },
          ]}
        >
          <Input.Password
            id="password"
            aria-label={label}
            autoComplete="new-password"
            visibilityToggle={{ visible, onVisibleChange: setVisible }}
          />
        </Form.Item>
        <Button
          onClick={() => {
            form.setFieldValue('password', generatePassword());
            setVisible(true);
            void form.validateFields(['password']);
          }}
        >
          Придумать
        </Button>
      </Space.Compact>
    </Form.Item>
  );
}
