/** On a cycle's dashboard: the four-eyes requests on this cycle still waiting for a second person. */
import { Alert, Flex } from 'antd';
import { Link } from 'react-router';
import { useMe } from '../../api/client';
import { useCycleActions } from './cycle-actions';

const READERS = new Set(['ministry_admin', 'ministry_reviewer', 'auditor']);

export default function PendingActionsNotice({ cycleId }: { cycleId: string }) {
  const me = useMe();
  const enabled = Boolean(me.data && READERS.has(me.data.role));
  const pending = useCycleActions('pending', cycleId, enabled);
  const items = pending.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <Alert
      type="warning"
      showIcon
      role="status"
      title={items.length === 1 ? 'Ожидает подтверждения второго сотрудника' : 'Ожидают подтверждения второго сотрудника'}
      description={
        <Flex vertical gap={4}>
          {items.map((a) => (
            <span key={a.id}>
              <Link to={`/cycle-actions/${a.id}`}>{a.description}</Link> — запросил(а) {a.requestedByName}
              {a.canConfirm ? '; вы можете подтвердить или отклонить' : ''}
            </span>
          ))}
        </Flex>
      }
    />
  );
}
