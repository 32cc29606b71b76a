import { createBrowserRouter, Navigate, type RouteObject } from 'react-router';
import { NotFoundPage, RouteError } from './components/errors';
import { Loading } from './components/states';
import { AppLayout } from './layout/AppLayout';
import { LoginPage } from './pages/login/LoginPage';

// Each area of the app (ministry, audit, work on cycle tasks) exports its routes from `pages/<area>/routes.tsx`; they
// join the layout here. They must load their pages lazily (`lazy`), so that ECharts and CodeMirror stay out of the
// initial bundle.
const areaModules = import.meta.glob<Record<string, RouteObject[]>>('./pages/*/routes.tsx', { eager: true });
const areaRoutes = Object.values(areaModules).flatMap((m) => Object.values(m).filter(Array.isArray).flat());

export function createAppRouter() {
  return createBrowserRouter([
    { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
    {
      path: '/',
      element: <AppLayout />,
      errorElement: <RouteError />,
      // Shown while the first page's lazily loaded code arrives.
      hydrateFallbackElement: <Loading />,
      children: [
        {
          errorElement: <RouteError />,
          children: [
            { index: true, element: <Navigate to="/tasks" replace /> },
            { path: 'tasks', lazy: async () => ({ Component: (await import('./pages/tasks/TasksPage')).TasksPage }) },
            { path: 'tasks/:id', lazy: async () => ({ Component: (await import('./pages/tasks/TaskPage')).TaskPage }) },
            ...areaRoutes,
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ]);
}
