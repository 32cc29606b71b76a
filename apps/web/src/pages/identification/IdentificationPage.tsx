/**
 * `/cycles/:id/identification`: the ministry loads the results and social-passport files, reads the ranking (places,
 * categories, reasons), adds or leaves out schools with a reason and approves the list; afterwards the approved list.
 * The administrator of the launching ministry approves; a reviewer may load files; the institute and auditors read.
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Skeleton, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, errorMessage, useMe } from '../../api/client';
import { countOf, formatDateTimeInZone, NOUNS } from '../../format';
import { CycleLoadFailed } from '../ministry/CycleLoadFailed';
import { useCycle, useOrganizations } from '../ministry/queries';
import { ApprovalPanel } from './ApprovalPanel';
import { ChangeModal, type ChangeRequest, type SchoolOption } from './ChangeModal';
import { FilesPanel } from './FilesPanel';
import { yearsText } from './labels';
import { ParticipantsTable } from './ParticipantsTable';
import { useParticipants, useRanking, type ListChange, type RankedSchool } from './queries';
import { RankingTable, type PendingChanges } from './RankingTable';
import './identification.css';

const NO_CHANGES: PendingChanges = { add: [], remove: [] };

function schoolLabel(name: string | null | undefined, code: string | null | undefined, municipality?: string | null): string {
  return [name ?? 'школа без названия', code ? `код ${code}` : '', municipality ?? ''].filter(Boolean).join(' · ');
}

export default function IdentificationPage() {
  const { id = '' } = useParams();
  const cycle = useCycle(id);
  const me = useMe();
  const participants = useParticipants(id);
  const approved = Boolean(cycle.data?.listApprovedAt) || (participants.data?.length ?? 0) > 0;
  const ranking = useRanking(id, cycle.isSuccess);
  const organizations = useOrganizations(cycle.data?.regionCode);
  const [changes, setChanges] = useState<PendingChanges>(NO_CHANGES);
  const [request, setRequest] = useState<ChangeRequest | null>(null);

  const role = me.data?.role;
  const canUpload = role === 'ministry_admin' || role === 'ministry_reviewer';
  const canApprove = role === 'ministry_admin';

  const orgName = useMemo(() => new Map((organizations.data ?? []).map((o) => [o.id, o.name])), [organizations.data]);
  const items = ranking.data?.items;
  const proposedIds = useMemo(() => new Set((items ?? []).filter((s) => s.category && s.schoolId).map((s) => s.schoolId!)), [items]);
  const labels = useMemo(() => {
    const map = new Map<string, string>();
    for (const o of organizations.data ?? []) {
      if (o.kind === 'school') map.set(o.id, schoolLabel(o.name, o.code, o.parentId ? orgName.get(o.parentId) : undefined));
    }
    for (const s of items ?? []) if (s.schoolId) map.set(s.schoolId, schoolLabel(s.schoolName, s.schoolCode, s.municipalityName));
    return map;
  }, [organizations.data, items, orgName]);
  const addable: SchoolOption[] = [...labels.entries()]
    .filter(([schoolId]) => !proposedIds.has(schoolId) && !changes.add.some((c) => c.schoolId === schoolId))
    .map(([schoolId, label]) => ({ id: schoolId, label }))
    .sort((a, b) => a.label.localeCompare(b.label, 'ru'));

  if (cycle.isLoading) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (cycle.error || !cycle.data) return <CycleLoadFailed error={cycle.error} />;
  const c = cycle.data;

  const rowLabel = (s: RankedSchool): SchoolOption => ({ id: s.schoolId!, label: schoolLabel(s.schoolName, s.schoolCode, s.municipalityName) });
  const decide = (change: ListChange, mode: 'add' | 'remove') =>
    setChanges((prev) => ({
      add: mode === 'add' ? [...prev.add.filter((x) => x.schoolId !== change.schoolId), change] : prev.add,
      remove: mode === 'remove' ? [...prev.remove.filter((x) => x.schoolId !== change.schoolId), change] : prev.remove,
    }));
  const undo = (schoolId: string) =>
    setChanges((prev) => ({ add: prev.add.filter((x) => x.schoolId !== schoolId), remove: prev.remove.filter((x) => x.schoolId !== schoolId) }));
  const editing = canApprove && !approved;

  const rankingBody = () => {
    if (ranking.isPending) return <Skeleton active />;
    if (ranking.isError) {
      // 422: the files are not loaded yet, or hold too few years — the API says which, in Russian.
      const waiting = ranking.error instanceof ApiError && ranking.error.status === 422;
      return (
        <Alert
          type={waiting ? 'info' : 'error'}
          showIcon
          title={waiting ? 'Рейтинг появится после загрузки файлов' : 'Не удалось рассчитать рейтинг'}
          description={errorMessage(ranking.error)}
          action={
            waiting ? undefined : (
              <Button size="small" onClick={() => void ranking.refetch()}>
                Повторить
              </Button>
            )
          }
        />
      );
    }
    const r = ranking.data;
    return (
      <Flex vertical gap={8}>
        <Typography.Text type="secondary">
          Годы анализа: {yearsText(r.years)}. Предложено в список: {countOf(proposedIds.size, NOUNS.school)} из {r.items.length}. Школа
          предлагается, если её результаты стабильно низкие (нижние 10 % региона не менее чем в двух годах из трёх) или индекс
          социального неблагополучия не ниже 0,6.
        </Typography.Text>
        <RankingTable
          items={r.items}
          changes={editing ? changes : undefined}
          onAdd={(s) => setRequest({ mode: 'add', school: rowLabel(s) })}
          onRemove={(s) => setRequest({ mode: 'remove', school: rowLabel(s) })}
          onUndo={undo}
        />
      </Flex>
    );
  };

  return (
    <Flex vertical gap={16}>
      <div>
        <Link to={`/cycles/${encodeURIComponent(c.id)}`}>
          <ArrowLeftOutlined /> К циклу «{c.title}»
        </Link>
      </div>
      <div>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
          Идентификация школ
        </Typography.Title>
        <Typography.Text type="secondary">
          {c.title} · {c.id}
        </Typography.Text>
      </div>

      {participants.isError && (
        <Alert type="error" showIcon title="Не удалось загрузить список участников" description={errorMessage(participants.error)} />
      )}

      {approved ? (
        <Card size="small" title={<span id="identification-approved">Утверждённый список школ</span>} role="region" aria-labelledby="identification-approved">
          <Flex vertical gap={8}>
            <Typography.Text>
              {c.listApprovedAt ? `Утверждён ${formatDateTimeInZone(c.listApprovedAt, c.timeZone)}. ` : 'Список утверждён. '}
              В программе {countOf(participants.data?.filter((p) => p.included).length ?? 0, NOUNS.school)}.
            </Typography.Text>
            {participants.isPending ? (
              <Skeleton active />
            ) : (
              <ParticipantsTable items={participants.data ?? []} municipalityName={(mid) => orgName.get(mid) ?? mid} />
            )}
          </Flex>
        </Card>
      ) : (
        <>
          <section aria-labelledby="identification-files">
            <Typography.Title level={2} id="identification-files" style={{ fontSize: 18 }}>
              1. Файлы идентификации
            </Typography.Title>
            <FilesPanel cycleId={c.id} imports={ranking.data?.imports} timeZone={c.timeZone} canUpload={canUpload} />
          </section>
        </>
      )}

      <section aria-labelledby="identification-ranking">
        <Typography.Title level={2} id="identification-ranking" style={{ fontSize: 18 }}>
          {approved ? 'Рейтинг школ' : '2. Рейтинг школ'}
        </Typography.Title>
        <Card size="small">{rankingBody()}</Card>
      </section>

      {!approved && (
        <section aria-labelledby="identification-approval">
          <Typography.Title level={2} id="identification-approval" style={{ fontSize: 18 }}>
            3. Утверждение списка
          </Typography.Title>
          <ApprovalPanel
            cycleId={c.id}
            timeZone={c.timeZone}
            proposed={proposedIds.size}
            changes={changes}
            schoolName={(sid) => labels.get(sid) ?? sid}
            onUndo={undo}
            onAddSchool={() => setRequest({ mode: 'add' })}
            canApprove={canApprove}
            ready={ranking.isSuccess}
          />
        </section>
      )}

      <ChangeModal request={request} addable={addable} onClose={() => setRequest(null)} onDone={decide} />
    </Flex>
  );
}
