/**
 * The ministry's identification screen: the files, the ranking and the approval of the list of participant schools.
 * Loaded lazily, like every area's pages, so that it stays out of the initial bundle.
 */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

export const identificationRoutes: RouteObject[] = [
  {
    path: 'cycles/:id/identification',
    hydrateFallbackElement: <Loading />,
    lazy: async () => ({ Component: (await import('./IdentificationPage')).default }),
  },
];
