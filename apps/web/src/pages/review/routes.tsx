/** «Рассмотрение»: the documents waiting for the reader's organisation to review them. The page loads lazily. */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

const loading = <Loading />;

export const reviewRoutes: RouteObject[] = [
  {
    path: 'review',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./ReviewQueuePage')).default }),
  },
];
