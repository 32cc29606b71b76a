/** The workflow runs behind a scope, each linked to its readable history (auditors). */
import { useQuery } from '@tanstack/react-query';
import { Table, Tag, Typography, type TableProps } from 'antd';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState, LoadError } from '../../components/states';
import { formatDateTimeInZone } from '../../format';
import { WORKFLOW_KINDS, WORKFLOW_STATUSES } from './labels';

interface Run {
  workflowId: string;
  runId: string;
  kind?: string;
  type: string;
  status: string;
  startTime: string;
  closeTime: string | null;
  archived?: boolean;
}

export function historyHref(workflowId: string, runId?: string): string {
  return `/audit/workflows/${encodeURIComponent(workflowId)}${runId ? `?runId=${encodeURIComponent(runId)}` : ''}`;
}

export function WorkflowStatusTag({ status }: { status: string }) {
  const view = WORKFLOW_STATUSES[status];
  return <Tag className="audit-tag" color={view?.color ?? 'default'}>{view?.text ?? status}</Tag>;
}

function RunsTable({ runs, zone, canOpen }: { runs: Run[]; zone: string; canOpen: boolean }) {
  const columns: TableProps<Run>['columns'] = [
    {
      title: 'Процесс',
      key: 'workflowId',
      render: (_, r) =>
        canOpen ? (
          <Link to={historyHref(r.workflowId, r.runId)}>{r.workflowId}</Link>
        ) : (
          <Typography.Text>{r.workflowId}</Typography.Text>
        ),
    },
    { title: 'Вид', key: 'kind', render: (_, r) => (r.kind ? (WORKFLOW_KINDS[r.kind] ?? r.kind) : r.type), responsive: ['md'] },
    { title: 'Состояние', key: 'status', render: (_, r) => <WorkflowStatusTag status={r.status} /> },
    { title: 'Начат', key: 'start', render: (_, r) => formatDateTimeInZone(r.startTime, zone), responsive: ['lg'] },
    { title: 'Завершён', key: 'close', render: (_, r) => (r.closeTime ? formatDateTimeInZone(r.closeTime, zone) : '—'), responsive: ['lg'] },
    { title: 'В архиве', key: 'archived', render: (_, r) => (r.archived === undefined ? 'да' : r.archived ? 'да' : 'нет') },
  ];
  return (
    <Table<Run>
      rowKey={(r) => `${r.workflowId}\n${r.runId}`}
      size="small"
      columns={columns}
      dataSource={runs}
      pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
      scroll={{ x: true }}
      locale={{ emptyText: <EmptyState>Процессов пока нет: они появляются, когда запускается цикл или создаётся задача.</EmptyState> }}
    />
  );
}

/** A cycle's workflows, live from Temporal and from the archive. */
export function CycleWorkflows({ cycleId, zone, canOpen }: { cycleId: string; zone: string; canOpen: boolean }) {
  const workflows = useQuery({
    queryKey: ['audit', 'cycle-workflows', cycleId],
    queryFn: () => unwrap(api.GET('/api/audit/cycles/{cycleId}/workflows', { params: { path: { cycleId } } })),
  });
  if (workflows.isPending) return <Typography.Text role="status">Загрузка процессов цикла…</Typography.Text>;
  if (workflows.isError) return <LoadError error={workflows.error} title="Не удалось загрузить процессы цикла" onRetry={() => void workflows.refetch()} />;
  const runs: Run[] = workflows.data.workflows.map((w) => ({ ...w, type: w.workflowType }));
  return (
    <>
      {!workflows.data.live && (
        <Typography.Paragraph type="warning">Сервис процессов не ответил: показаны только процессы из архива.</Typography.Paragraph>
      )}
      <RunsTable runs={runs} zone={zone} canOpen={canOpen} />
    </>
  );
}

/** The archived runs an export lists (an organisation's or a task's). */
export function ExportedWorkflows({ runs, zone, canOpen }: { runs: Schemas['AuditExportWorkflowView'][]; zone: string; canOpen: boolean }) {
  return <RunsTable runs={runs} zone={zone} canOpen={canOpen} />;
}
