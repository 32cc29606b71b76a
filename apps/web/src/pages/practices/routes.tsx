/** «Банк практик», open to everyone who logs in. The pages load lazily. */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

const loading = <Loading />;

export const practicesRoutes: RouteObject[] = [
  {
    path: 'practices',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./PracticesPage')).default }),
  },
  {
    path: 'practices/:id',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./PracticePage')).default }),
  },
];
