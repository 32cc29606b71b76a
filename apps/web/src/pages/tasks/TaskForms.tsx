import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input } from 'antd';
import { api, errorMessage, unwrap, type Schemas } from '../../api/client';

type TaskDetail = Schemas['TaskDetailView'];

const COMMENT_MAX = 4000;

function useTaskDone(taskId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['tasks', 'detail', taskId] }),
      queryClient.invalidateQueries({ queryKey: ['tasks', 'list'] }),
    ]);
}

/** A plain task: a comment and «Отметить выполненной» (POST /api/tasks/:id/complete). */
export function CompleteTaskForm({ task }: { task: TaskDetail }) {
  const { message } = App.useApp();
  const done = useTaskDone(task.id);
  const complete = useMutation({
    mutationFn: (comment: string) =>
      unwrap(api.POST('/api/tasks/{id}/complete', { params: { path: { id: task.id } }, body: comment ? { comment } : {} })),
    onSuccess: async (result) => {
      void message.success(result.late ? 'Задача отмечена выполненной (с опозданием)' : 'Задача отмечена выполненной');
      await done();
    },
  });

  return (
    <Form<{ comment?: string }>
      layout="vertical"
      onFinish={(values) => complete.mutate(values.comment?.trim() ?? '')}
      disabled={complete.isPending}
    >
      {complete.isError && (
        <Alert type="error" showIcon role="alert" title={errorMessage(complete.error)} style={{ marginBottom: 16 }} />
      )}
      <Form.Item
        label="Комментарий"
        name="comment"
        extra="Что сделано, реквизиты документа; комментарий увидят министерство и аудитор"
      >
        <Input.TextArea rows={3} maxLength={COMMENT_MAX} showCount />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={complete.isPending}>
        Отметить выполненной
      </Button>
    </Form>
  );
}
