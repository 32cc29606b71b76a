import { LogoutOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Layout, Menu, type MenuProps } from 'antd';
import { Suspense, useState, type MouseEvent } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { api, ApiError, errorMessage, unwrap, useMe, type Me } from '../api/client';
import { LoadError, Loading } from '../components/states';
import { canReview, isMinistry, seesAgreements } from './roles';

const { Header, Sider, Content } = Layout;

interface NavItem {
  to: string;
  label: string;
  show: (me: Me) => boolean;
}

const NAV: NavItem[] = [
  { to: '/tasks', label: 'Мои задачи', show: () => true },
  { to: '/review', label: 'Рассмотрение', show: (me) => canReview(me.role) },
  { to: '/agreements', label: 'Соглашения', show: (me) => seesAgreements(me.role) },
  { to: '/cycles', label: 'Циклы', show: (me) => isMinistry(me.role) },
  { to: '/cycle-actions', label: 'Подтверждения', show: (me) => isMinistry(me.role) },
  { to: '/templates', label: 'Шаблоны', show: (me) => isMinistry(me.role) },
  { to: '/audit', label: 'Аудит', show: (me) => me.role === 'auditor' || isMinistry(me.role) },
  { to: '/organizations', label: 'Организации', show: (me) => me.role === 'auditor' || isMinistry(me.role) },
  { to: '/practices', label: 'Банк практик', show: () => true },
  { to: '/extension-requests', label: 'Запросы на продление', show: () => true },
  { to: '/substitutions', label: 'Заместители', show: (me) => me.role !== 'auditor' },
];

function selectedKey(pathname: string): string[] {
  const item = NAV.find((n) => pathname === n.to || pathname.startsWith(`${n.to}/`));
  return item ? [item.to] : [];
}

/** Moves focus to the page itself: the router would otherwise treat `#page-content` as a navigation. */
function skipToContent(event: MouseEvent<HTMLAnchorElement>) {
  event.preventDefault();
  document.getElementById('page-content')?.focus();
}

/** The frame of every page after log-in: who is working, the navigation for their role, the page. */
export function AppLayout() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [menuCollapsed, setMenuCollapsed] = useState(false);

  const logout = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/auth/session')),
    onSettled: (_data, error) => {
      // A session already gone (401) is as good as ended; any other failure is said, but the person still leaves.
      if (error && !(error instanceof ApiError && error.status === 401)) void message.warning(errorMessage(error));
      queryClient.clear();
      void navigate('/login', { replace: true });
    },
  });

  if (me.isPending) return <Loading label="Загрузка профиля…" />;
  if (me.isError) {
    // 401 already redirects to the log-in page.
    if (me.error instanceof ApiError && me.error.status === 401) return <Loading label="Переход к входу…" />;
    return (
      <div className="app-content">
        <LoadError error={me.error} title="Не удалось загрузить профиль" onRetry={() => void me.refetch()} />
      </div>
    );
  }
  const user = me.data;
  const items: MenuProps['items'] = NAV.filter((n) => n.show(user)).map((n) => ({
    key: n.to,
    label: <Link to={n.to}>{n.label}</Link>,
  }));

  return (
    <Layout style={{ minHeight: '100vh' }}>
      {/* The first stop of Tab: a keyboard user jumps over the header and the menu straight to the page. */}
      <a className="skip-link" href="#page-content" onClick={skipToContent}>
        Перейти к содержанию
      </a>
      <Header className="app-header">
        <Link to="/tasks" className="app-brand">
          Uplift
        </Link>
        <div className="app-user">
          <div className="app-user-text">
            <span>
              <strong>{user.fullName}</strong>
            </span>
            <span title={`${user.organizationName} · ${user.roleTitle}`}>
              {user.organizationName} · {user.roleTitle}
            </span>
          </div>
          <Link to="/account/password" className="app-user-link">
            Сменить пароль
          </Link>
          <Button icon={<LogoutOutlined />} loading={logout.isPending} onClick={() => logout.mutate()}>
            Выйти
          </Button>
        </div>
      </Header>
      <Layout>
        <Sider width={220} theme="light" breakpoint="lg" collapsedWidth={0} collapsed={menuCollapsed} onCollapse={setMenuCollapsed}>
          <nav aria-label="Основная навигация">
            <Menu mode="inline" selectedKeys={selectedKey(location.pathname)} items={items} style={{ borderInlineEnd: 0 }} />
          </nav>
        </Sider>
        {/* antd's Content is the page's <main> landmark. */}
        <Content>
          {/* A folded menu leaves its open button over the page's left edge: the page moves right of it. */}
          <div id="page-content" tabIndex={-1} className={menuCollapsed ? 'app-content app-content-menu-folded' : 'app-content'}>
            <Suspense fallback={<Loading />}>
              <Outlet />
            </Suspense>
          </div>
        </Content>
      </Layout>
    </Layout>
  );
}
