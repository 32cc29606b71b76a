/** «Смена пароля»: for everyone who logs in. Loads lazily. */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

export const accountRoutes: RouteObject[] = [
  {
    path: 'account/password',
    hydrateFallbackElement: <Loading />,
    lazy: async () => ({ Component: (await import('./ChangePasswordPage')).default }),
  },
];
