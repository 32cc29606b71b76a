import { Alert, Button, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';

export function Loading({ label = 'Загрузка…' }: { label?: string }) {
  return (
    <div className="page-state" role="status" aria-live="polite">
      <Spin description={label} />
    </div>
  );
}

/** A failed request: the API's Russian message and, where it may help, a retry. */
export function LoadError({ error, onRetry, title = 'Не удалось загрузить данные' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <Alert
      type="error"
      showIcon
      title={title}
      description={errorMessage(error)}
      action={
        onRetry ? (
          <Button size="small" onClick={onRetry}>
            Повторить
          </Button>
        ) : undefined
      }
    />
  );
}

/** An empty list says what will appear there, and when. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={children} />;
}
