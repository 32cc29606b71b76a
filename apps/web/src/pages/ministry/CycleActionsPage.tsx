/**
 * `/cycle-actions` «Подтверждения»: the four-eyes requests of the ministry — a launch, a cancellation, a deadline
 * override for everyone — each with what it would do; the other person confirms or refuses, the requester withdraws.
 * `/cycle-actions/:id`: one request (where the requester lands after asking, following the other person's decision).
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Flex, Segmented, Skeleton, Typography } from 'antd';
import { Link, useParams, useSearchParams } from 'react-router';
import { EmptyState, LoadError } from '../../components/states';
import { CycleActionCard } from './CycleActionCard';
import { SECOND_PERSON_NOTE, useCycleAction, useCycleActions, type CycleActionStatus } from './cycle-actions';

type Filter = 'pending' | 'all';

export default function CycleActionsPage() {
  const [params, setParams] = useSearchParams();
  const filter: Filter = params.get('status') === 'all' ? 'all' : 'pending';
  const actions = useCycleActions(filter as CycleActionStatus | 'all');
  return (
    <Flex vertical gap={16}>
      <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
        Подтверждения
      </Typography.Title>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        Запуск и отмена цикла и перенос сроков для всех выполняются только после подтверждения вторым сотрудником
        министерства. Подтвердить или отклонить запрос может администратор или специалист министерства, но не тот, кто его
        создал.
      </Typography.Paragraph>
      <Segmented
        aria-label="Какие запросы показать"
        value={filter}
        onChange={(value) => setParams(value === 'all' ? { status: 'all' } : {})}
        options={[
          { value: 'pending', label: 'Ожидают подтверждения' },
          { value: 'all', label: 'Все' },
        ]}
      />
      {actions.isLoading && <Skeleton active />}
      {actions.error && <LoadError error={actions.error} onRetry={() => void actions.refetch()} />}
      {actions.data && actions.data.items.length === 0 && (
        <EmptyState>{filter === 'pending' ? 'Нет запросов, ожидающих подтверждения' : 'Запросов ещё не было'}</EmptyState>
      )}
      {actions.data?.items.map((a) => <CycleActionCard key={a.id} action={a} />)}
    </Flex>
  );
}

export function CycleActionPage() {
  const { id = '' } = useParams();
  const action = useCycleAction(id);
  return (
    <Flex vertical gap={16}>
      <div>
        <Link to="/cycle-actions">
          <ArrowLeftOutlined /> Все подтверждения
        </Link>
      </div>
      <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
        Запрос на подтверждение
      </Typography.Title>
      {action.data?.status === 'pending' && action.data.canWithdraw && (
        <Typography.Paragraph style={{ margin: 0 }}>{SECOND_PERSON_NOTE}</Typography.Paragraph>
      )}
      {action.isLoading && <Skeleton active />}
      {action.error && <LoadError error={action.error} onRetry={() => void action.refetch()} />}
      {action.data && <CycleActionCard action={action.data} />}
    </Flex>
  );
}
