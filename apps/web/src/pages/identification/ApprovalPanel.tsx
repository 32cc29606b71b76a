/**
 * The list as it will be approved: the ranking's proposal with the ministry's additions and removals (each with its
 * reason, each undoable), the approval task's state, and the approval itself (POST …/identification/approve) with a
 * comment and a confirmation. When the cycle has not issued the approval task yet (404/409) the screen says so and the
 * person retries, keeping the changes and the comment.
 */
import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Flex, Form, Input, List, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, ApiError, errorMessage, unwrap } from '../../api/client';
import { countOf, formatDateTimeInZone, NOUNS } from '../../format';
import { cycleKeys } from '../ministry/queries';
import type { PendingChanges } from './RankingTable';
import { identificationKeys, useApprovalTask, type Participant } from './queries';

/** «из 1 школы», «из 3 школ», «из 5 школ». */
const SCHOOL_GENITIVE = { one: 'школы', few: 'школ', many: 'школ' };

interface ApprovalPanelProps {
  cycleId: string;
  timeZone: string;
  proposed: number;
  changes: PendingChanges;
  schoolName(id: string): string;
  onUndo(schoolId: string): void;
  onAddSchool(): void;
  canApprove: boolean;
  /** Whether the ranking is there: without it there is nothing to approve. */
  ready: boolean;
}

function isNotOpenYet(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 409);
}

function ApprovalTaskState({ cycleId, timeZone }: { cycleId: string; timeZone: string }) {
  const task = useApprovalTask(cycleId, true);
  if (task.isPending) return <Typography.Text type="secondary">Проверяем задачу утверждения списка…</Typography.Text>;
  if (task.isError) return <Typography.Text type="secondary">Не удалось проверить задачу утверждения списка: {errorMessage(task.error)}</Typography.Text>;
  if (!task.data) {
    return (
      <Flex wrap gap={8} align="center">
        <Tag color="gold">задача ещё не выдана</Tag>
        <Typography.Text type="secondary">Цикл ещё не выдал задачу утверждения списка; страница проверяет это каждые 10 секунд.</Typography.Text>
        <Button size="small" icon={<ReloadOutlined />} loading={task.isFetching} onClick={() => void task.refetch()}>
          Проверить сейчас
        </Button>
      </Flex>
    );
  }
  return (
    <Flex wrap gap={8} align="center">
      <Tag>задача открыта</Tag>
      <Typography.Text>
        <Link className="identification-inline-link" to={`/tasks/${encodeURIComponent(task.data.id)}`}>{task.data.title}</Link>, срок {formatDateTimeInZone(task.data.dueAt, timeZone)}
      </Typography.Text>
    </Flex>
  );
}

export function ApprovalPanel({ cycleId, timeZone, proposed, changes, schoolName, onUndo, onAddSchool, canApprove, ready }: ApprovalPanelProps) {
  const { modal, message } = App.useApp();
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const total = proposed - changes.remove.length + changes.add.length;
  const approve = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/cycles/{cycleId}/identification/approve', {
          params: { path: { cycleId } },
          body: { add: changes.add, remove: changes.remove, ...(comment.trim() ? { comment: comment.trim() } : {}) },
        }),
      ),
    onSuccess: async (approval) => {
      queryClient.setQueryData<Participant[]>(identificationKeys.participants(cycleId), approval.participants);
      void message.success(`Список утверждён: ${countOf(approval.included, NOUNS.school)}`);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: cycleKeys.one(cycleId) }),
        queryClient.invalidateQueries({ queryKey: identificationKeys.approvalTask(cycleId) }),
      ]);
    },
    onError: (error) => {
      if (isNotOpenYet(error)) void queryClient.invalidateQueries({ queryKey: identificationKeys.approvalTask(cycleId) });
    },
  });

  const confirm = () => {
    modal.confirm({
      title: `Утвердить список из ${countOf(total, SCHOOL_GENITIVE)}?`,
      content: (
        <Flex vertical gap={4}>
          <span>
            По рейтингу предложено: {proposed}; добавлено министерством: {changes.add.length}; исключено: {changes.remove.length}.
          </span>
          <span>После утверждения школы и муниципалитеты получат задачи следующих этапов; изменить список будет нельзя.</span>
        </Flex>
      ),
      okText: 'Утвердить',
      cancelText: 'Отмена',
      onOk: () => approve.mutateAsync().catch(() => undefined),
    });
  };

  const rows = [
    ...changes.add.map((c) => ({ ...c, mode: 'add' as const })),
    ...changes.remove.map((c) => ({ ...c, mode: 'remove' as const })),
  ];

  return (
    <Card size="small" title="Утверждение списка школ">
      <Flex vertical gap={12}>
        <ApprovalTaskState cycleId={cycleId} timeZone={timeZone} />
        {ready && (
        <Typography.Text>
          По рейтингу предложено {countOf(proposed, NOUNS.school)}; с изменениями министерства в списке будет{' '}
          <strong>{countOf(total, NOUNS.school)}</strong>.
        </Typography.Text>
        )}
        <List
          size="small"
          bordered
          header={<Typography.Text strong>Изменения министерства</Typography.Text>}
          locale={{ emptyText: <Typography.Text type="secondary">Изменений нет: список совпадает с рейтингом</Typography.Text> }}
          dataSource={rows}
          renderItem={(c) => (
            <List.Item
              actions={
                canApprove
                  ? [
                      <Button key="undo" size="small" onClick={() => onUndo(c.schoolId)} aria-label={`Отменить решение по школе «${schoolName(c.schoolId)}»`}>
                        Отменить
                      </Button>,
                    ]
                  : undefined
              }
            >
              <Flex vertical gap={2}>
                <span>
                  <Tag color={c.mode === 'add' ? 'green' : 'default'}>{c.mode === 'add' ? 'добавлена' : 'исключена'}</Tag>
                  {schoolName(c.schoolId)}
                </span>
                <Typography.Text type="secondary">Причина: {c.reason}</Typography.Text>
              </Flex>
            </List.Item>
          )}
        />
        {canApprove ? (
          <>
            <div>
              <Button onClick={onAddSchool} disabled={!ready}>
                Добавить школу вне рейтинга…
              </Button>
            </div>
            <Form layout="vertical" onFinish={confirm} disabled={!ready || approve.isPending}>
              <Form.Item label="Комментарий к утверждению (например, реквизиты приказа)" htmlFor="approval-comment" style={{ marginBottom: 12 }}>
                <Input.TextArea id="approval-comment" rows={2} maxLength={4000} value={comment} onChange={(e) => setComment(e.target.value)} />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={approve.isPending} disabled={!ready || total <= 0}>
                Утвердить список…
              </Button>
            </Form>
          </>
        ) : (
          <Typography.Text type="secondary">Утверждает список администратор программы министерства.</Typography.Text>
        )}
        {!ready && <Typography.Text type="secondary">Утвердить список можно, когда рейтинг рассчитан по загруженным файлам.</Typography.Text>}
        {approve.error &&
          (isNotOpenYet(approve.error) ? (
            <Alert
              type="warning"
              showIcon
              role="alert"
              title="Задача утверждения списка ещё не открыта"
              description={
                <>
                  {errorMessage(approve.error)}. Изменения и комментарий сохранены на этой странице: повторите, когда задача
                  будет выдана.
                </>
              }
              action={
                <Button size="small" onClick={() => approve.mutate()} loading={approve.isPending}>
                  Повторить
                </Button>
              }
            />
          ) : (
            <Alert type="error" showIcon role="alert" title="Список не утверждён" description={errorMessage(approve.error)} />
          ))}
      </Flex>
    </Card>
  );
}
