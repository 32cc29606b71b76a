import { Result } from 'antd';
import { Link } from 'react-router';
import { ApiError, errorMessage } from '../../api/client';

/** What a cycle's page shows when the cycle cannot be read: not found, not the reader's, or the API failing. */
export function CycleLoadFailed({ error }: { error: unknown }) {
  const status = error instanceof ApiError ? error.status : undefined;
  return (
    <Result
      status={status === 404 ? '404' : status === 403 ? '403' : 'error'}
      title={status === 404 ? 'Цикл не найден' : status === 403 ? 'Нет доступа к циклу' : 'Не удалось загрузить цикл'}
      subTitle={errorMessage(error)}
      extra={<Link to="/cycles">К списку циклов</Link>}
    />
  );
}
