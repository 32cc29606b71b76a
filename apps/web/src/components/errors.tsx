import { Button, Result } from 'antd';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { isRouteErrorResponse, useRouteError } from 'react-router';

const CRASH_TITLE = 'Что-то пошло не так';
const CRASH_TEXT =
  'Страница не смогла отобразиться из-за ошибки в приложении. Введённые данные не отправлены. Обновите страницу; если ошибка повторится, сообщите в службу поддержки, что вы делали перед ней.';

function Crash() {
  return (
    <Result
      status="error"
      title={CRASH_TITLE}
      subTitle={CRASH_TEXT}
      extra={
        <Button type="primary" onClick={() => window.location.reload()}>
          Обновить страницу
        </Button>
      }
    />
  );
}

/** Last resort around the whole app: a render error shows a Russian message instead of a blank page. */
export class AppErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Ошибка отображения', error, info.componentStack);
  }

  override render(): ReactNode {
    return this.state.failed ? <Crash /> : this.props.children;
  }
}

/** The router's errorElement: a page that failed to load or render, or an unknown address. */
export function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;
  console.error('Ошибка страницы', error);
  // A lazily loaded page whose file is gone after a new release: reloading fetches the new build.
  const stale = error instanceof TypeError && /dynamically imported module|Importing a module script failed/i.test(error.message);
  if (stale) {
    return (
      <Result
        status="warning"
        title="Приложение обновилось"
        subTitle="Эта страница изменилась в новой версии. Обновите страницу, чтобы загрузить её."
        extra={
          <Button type="primary" onClick={() => window.location.reload()}>
            Обновить страницу
          </Button>
        }
      />
    );
  }
  return <Crash />;
}

export function NotFoundPage() {
  return (
    <Result
      status="404"
      title="Страница не найдена"
      subTitle="Такого адреса в Uplift нет. Проверьте ссылку или перейдите к своим задачам."
      extra={
        <Button type="primary" href="/tasks">
          К моим задачам
        </Button>
      }
    />
  );
}
