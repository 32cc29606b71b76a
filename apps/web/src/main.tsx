import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, type ThemeConfig } from 'antd';
import ruRU from 'antd/locale/ru_RU';
import dayjs from 'dayjs';
import 'dayjs/locale/ru';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { ApiError, setUnauthorizedHandler } from './api/client';
import { AppErrorBoundary } from './components/errors';
import { createAppRouter } from './router';
import './styles.css';

dayjs.locale('ru');

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers (no access, not found) do not get better on a retry; a dropped connection might.
      retry: (failures, error) => failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

const router = createAppRouter();

/**
 * antd's defaults for links (#1677ff), secondary text and description labels (#8c8c8c), danger buttons (#ff4d4f),
 * success text (#52c41a) and the green, orange and gold tags' text fall short of WCAG AA's 4.5:1 on white and on the
 * layout's #f5f5f5 (axe-core in test/browser); these pass it.
 */
const THEME: ThemeConfig = {
  token: {
    colorPrimary: '#1f5fa8',
    colorLink: '#1f5fa8',
    colorTextDescription: 'rgba(0, 0, 0, 0.65)',
    colorError: '#cf1322',
    colorSuccess: '#237804',
    // The backgrounds and borders antd derives from those darker seeds would be greyish: its own light ones are kept.
    colorErrorBg: '#fff2f0',
    colorErrorBorder: '#ffccc7',
    colorSuccessBg: '#f6ffed',
    colorSuccessBorder: '#b7eb8f',
    borderRadius: 6,
  },
  // The preset tags' text is the palette's 7th shade; one shade darker passes on their light backgrounds.
  components: {
    Tag: { green7: '#237804', orange7: '#ad4e00', gold7: '#874d00' },
    Descriptions: { labelColor: 'rgba(0, 0, 0, 0.65)' },
  },
};

setUnauthorizedHandler((href) => {
  queryClient.clear();
  void router.navigate(href, { replace: true });
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ConfigProvider locale={ruRU} theme={THEME}>
      <AntApp>
        <AppErrorBoundary>
          <QueryClientProvider client={queryClient}>
            <RouterProvider router={router} />
          </QueryClientProvider>
        </AppErrorBoundary>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
