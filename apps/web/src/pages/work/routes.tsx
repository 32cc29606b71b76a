/**
 * The work officials do on cycle tasks beyond the task page: the ministry's decisions on extension requests and
 * everyone's deputies. Pages load lazily, as the router asks of every area.
 */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

const loading = <Loading />;

export const workRoutes: RouteObject[] = [
  {
    path: 'extension-requests',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./ExtensionRequestsPage')).default }),
  },
  {
    path: 'substitutions',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./SubstitutionsPage')).default }),
  },
];
