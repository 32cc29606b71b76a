/** «Соглашения»: the partner agreements of a cycle the reader may see. The page loads lazily. */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

const loading = <Loading />;

export const agreementsRoutes: RouteObject[] = [
  {
    path: 'agreements',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./AgreementsPage')).default }),
  },
];
