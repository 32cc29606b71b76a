/** A cycle's status as a Russian tag: «Идёт», «Приостановлен», «Завершён», «Отменён». */
import { Tag } from 'antd';
import { CYCLE_STATUS } from './labels';

export function CycleStatusTag({ status }: { status: string }) {
  const s = CYCLE_STATUS[status] ?? { text: status, color: 'default' };
  return <Tag color={s.color}>{s.text}</Tag>;
}
