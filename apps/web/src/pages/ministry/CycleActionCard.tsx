/**
 * One four-eyes request: what confirming it does (for a launch: the template, the year and the dry run's figures),
 * who asked and until when, and — for the other person — «Подтвердить» and «Отклонить» (with a reason), or — for the
 * requester — «Отозвать». A confirmed command that failed shows its error; the request stays confirmable.
 */
import { Alert, App, Button, Card, Descriptions, Flex, Form, Input, Modal, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { errorMessage } from '../../api/client';
import { countOf, formatDateTimeInZone } from '../../format';
import { ACTION_KIND, ACTION_STATUS, useDecideCycleAction, type CycleAction } from './cycle-actions';
import { formatLocal } from './labels';

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Moscow';

function Details({ action }: { action: CycleAction }) {
  const zone = browserZone();
  const items = [];
  if (action.launch) {
    const l = action.launch;
    items.push(
      { key: 'template', label: 'Шаблон', children: `${l.templateTitle} (${l.templateId}, версия ${l.templateVersion})` },
      { key: 'year', label: 'Год', children: l.programmeYear },
    );
    if (l.summary) {
      const s = l.summary;
      items.push({
        key: 'dry-run',
        label: 'Пробный расчёт',
        children: `${countOf(s.tasks, { one: 'задача', few: 'задачи', many: 'задач' })} для ${countOf(s.organizations, { one: 'организации', few: 'организаций', many: 'организаций' })}, ${countOf(s.stages, { one: 'этап', few: 'этапа', many: 'этапов' })}${s.firstDueLocal && s.lastDueLocal ? `; сроки с ${formatLocal(s.firstDueLocal)} по ${formatLocal(s.lastDueLocal)}` : ''}${s.datesToSet ? `; сроков, которые установит министерство: ${s.datesToSet}` : ''}`,
      });
    }
    if (l.adoptRegionTimeZone) items.push({ key: 'zone', label: 'Часовой пояс', children: 'время шаблона читается по поясу региона' });
    if (l.compressionSecondsPerDay) items.push({ key: 'compressed', label: 'Календарь', children: `сжатый (тестовый): день — ${l.compressionSecondsPerDay} с` });
  }
  if (action.kind !== 'launch') {
    items.push({ key: 'cycle', label: 'Цикл', children: <Link to={`/cycles/${encodeURIComponent(action.cycleId)}`}>{action.cycleId}</Link> });
  }
  if (action.localDateTime) items.push({ key: 'new', label: 'Новый срок', children: formatLocal(action.localDateTime) });
  if (action.reason) items.push({ key: 'reason', label: 'Основание', children: action.reason });
  items.push(
    { key: 'requested', label: 'Запросил(а)', children: `${action.requestedByName} (${action.requestedBy}), ${formatDateTimeInZone(action.requestedAt, zone)}` },
    { key: 'expires', label: 'Подтвердить до', children: formatDateTimeInZone(action.expiresAt, zone) },
  );
  if (action.decidedByName && action.decidedAt) {
    const verb = action.status === 'withdrawn' ? 'Отозвал(а)' : action.status === 'refused' ? 'Отклонил(а)' : 'Подтвердил(а)';
    items.push({ key: 'decided', label: verb, children: `${action.decidedByName}, ${formatDateTimeInZone(action.decidedAt, zone)}` });
  }
  if (action.decisionReason) items.push({ key: 'decision', label: 'Причина', children: action.decisionReason });
  return <Descriptions size="small" column={1} items={items} />;
}

export function CycleActionCard({ action, headingLevel = 2 }: { action: CycleAction; headingLevel?: 2 | 3 }) {
  const decide = useDecideCycleAction(action.id);
  const { modal, message } = App.useApp();
  const [refusing, setRefusing] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const status = ACTION_STATUS[action.status];
  const titleId = `cycle-action-${action.id}`;

  const confirm = () =>
    modal.confirm({
      title: 'Подтвердить действие?',
      content: `${action.description}. Действие будет выполнено сразу и от имени запросившего: ${action.requestedByName}.`,
      okText: 'Подтвердить',
      cancelText: 'Отмена',
      onOk: () =>
        decide
          .mutateAsync({ kind: 'confirm' })
          .then(() => void message.success('Подтверждено: действие выполнено'))
          .catch(() => undefined),
    });
  const withdraw = () =>
    modal.confirm({
      title: 'Отозвать запрос?',
      content: `${action.description}. Действие не будет выполнено.`,
      okText: 'Отозвать',
      cancelText: 'Отмена',
      onOk: () =>
        decide
          .mutateAsync({ kind: 'withdraw' })
          .then(() => void message.success('Запрос отозван'))
          .catch(() => undefined),
    });

  return (
    <Card size="small" role="region" aria-labelledby={titleId}>
      <Flex vertical gap={8}>
        <Flex wrap gap={8} align="center" justify="space-between">
          <Typography.Title level={headingLevel} style={{ margin: 0, fontSize: 16 }} id={titleId}>
            {action.description}
          </Typography.Title>
          <Flex gap={4} wrap>
            <Tag>{ACTION_KIND[action.kind]}</Tag>
            <Tag color={status.color}>{status.text}</Tag>
          </Flex>
        </Flex>
        <Details action={action} />
        {action.lastError && action.status === 'pending' && (
          <Alert
            type="error"
            showIcon
            title="Подтверждённое действие не выполнено"
            description={`${action.lastError}. Запрос можно подтвердить снова, пока не истёк его срок.`}
          />
        )}
        {decide.error && <Alert type="error" showIcon title={errorMessage(decide.error)} />}
        {action.status === 'confirmed' && action.kind === 'launch' && (
          <Link to={`/cycles/${encodeURIComponent(action.cycleId)}`}>Открыть цикл {action.cycleId}</Link>
        )}
        {(action.canConfirm || action.canRefuse || action.canWithdraw) && (
          <Flex gap={8} wrap role="group" aria-label="Решение по запросу">
            {action.canConfirm && (
              <Button type="primary" onClick={confirm} loading={decide.isPending}>
                Подтвердить
              </Button>
            )}
            {action.canRefuse && (
              <Button danger onClick={() => setRefusing(true)} disabled={decide.isPending}>
                Отклонить
              </Button>
            )}
            {action.canWithdraw && (
              <Button onClick={withdraw} disabled={decide.isPending}>
                Отозвать
              </Button>
            )}
          </Flex>
        )}
        {action.status === 'pending' && !action.canConfirm && !action.canWithdraw && (
          <Typography.Text type="secondary">Подтвердить запрос может другой администратор или специалист министерства.</Typography.Text>
        )}
        {action.status === 'pending' && action.canWithdraw && (
          <Typography.Text type="secondary">Ожидает подтверждения другим сотрудником министерства.</Typography.Text>
        )}
      </Flex>
      <Modal
        open={refusing}
        title="Отклонить запрос"
        okText="Отклонить"
        okButtonProps={{ danger: true, loading: decide.isPending }}
        cancelText="Отмена"
        destroyOnHidden
        onCancel={() => setRefusing(false)}
        onOk={() => {
          form
            .validateFields()
            .then(({ reason }) => decide.mutateAsync({ kind: 'refuse', reason }))
            .then(() => {
              setRefusing(false);
              void message.success('Запрос отклонён');
            })
            .catch(() => undefined);
        }}
      >
        <Typography.Paragraph>{action.description}</Typography.Paragraph>
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item name="reason" label="Причина отказа" rules={[{ required: true, whitespace: true, message: 'Укажите причину отказа' }]}>
            <Input.TextArea rows={3} maxLength={1000} showCount />
          </Form.Item>
        </Form>
        {decide.error && <Alert type="error" showIcon title={errorMessage(decide.error)} />}
      </Modal>
    </Card>
  );
}
