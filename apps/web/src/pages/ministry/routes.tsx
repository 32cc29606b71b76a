/**
 * The ministry's cycle screens. Each route's component is loaded with react-router's `lazy`, so the launch page's
 * CodeMirror and the dashboard's ECharts are not in the initial bundle. While a page's code loads on the first visit
 * (a deep link, a reload), the layout shows with a loading state in place of the page.
 */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

const loading = <Loading />;

export const ministryRoutes: RouteObject[] = [
  {
    path: 'cycles',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./CyclesListPage')).default }),
  },
  {
    path: 'cycles/new',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./NewCyclePage')).default }),
  },
  {
    path: 'cycle-actions',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./CycleActionsPage')).default }),
  },
  {
    path: 'cycle-actions/:id',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./CycleActionsPage')).CycleActionPage }),
  },
  {
    path: 'cycles/:id',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./CycleDashboardPage')).default }),
  },
];
