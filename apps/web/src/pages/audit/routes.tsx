/**
 * The auditor's screens («Аудит») and the ministry's directory («Организации»). Every page is loaded lazily; while its
 * code arrives on a first visit the layout shows a loading state in place of the page.
 */
import type { RouteObject } from 'react-router';
import { Loading } from '../../components/states';

const loading = <Loading />;

export const auditRoutes: RouteObject[] = [
  {
    path: 'audit',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./AuditPage')).default }),
  },
  {
    path: 'audit/workflows/:workflowId',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./WorkflowHistoryPage')).default }),
  },
];

export const directoryRoutes: RouteObject[] = [
  {
    path: 'organizations',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./OrganizationsPage')).default }),
  },
  {
    path: 'organizations/:id',
    hydrateFallbackElement: loading,
    lazy: async () => ({ Component: (await import('./OrganizationPage')).default }),
  },
];
