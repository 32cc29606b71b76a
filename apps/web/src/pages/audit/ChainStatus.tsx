/**
 * The hash chain's state (GET /api/audit/verify): every entry recomputed, the first break named, and the signed
 * checkpoints kept outside the database that reveal deleted newest entries. Auditors only.
 */
import { CheckCircleOutlined, CloseCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { LoadError } from '../../components/states';
import { countOf, formatDateTimeInZone } from '../../format';

const ENTRY = { one: 'запись', few: 'записи', many: 'записей' };
const LINE = { one: 'строки', few: 'строк', many: 'строк' };

type Checkpoints = components['schemas']['AuditCheckpointsView'];

/** The auditor reads checkpoint times in the browser's own zone, named next to the time. */
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** «Контрольные точки: N, последняя …, подпись верна», or why they prove less than that. */
function CheckpointSummary({ checkpoints }: { checkpoints: Checkpoints }) {
  if (!checkpoints.configured) {
    return (
      // An Alert, not warning-coloured text: antd's warning yellow on white fails the contrast check (1.9:1).
      <Alert type="warning" showIcon title="Контрольные точки не настроены: удаление последних записей журнала не будет обнаружено." />
    );
  }
  if (checkpoints.total === 0) {
    return <Typography.Text type="secondary">Контрольных точек ещё нет: первая появится при следующей записи в журнал.</Typography.Text>;
  }
  const latest = checkpoints.latest;
  const signature = checkpoints.signaturesValid
    ? 'подпись верна'
    : `подпись неверна у ${checkpoints.total - checkpoints.valid} из ${countOf(checkpoints.total, LINE)}`;
  return (
    <Flex vertical>
      {/* Dark red, not antd's danger red, which is below 4.5:1 on white. */}
      <Typography.Text style={checkpoints.signaturesValid ? undefined : { color: '#a8071a' }}>
        Контрольные точки: {checkpoints.total}
        {latest
          ? `, последняя — ${formatDateTimeInZone(latest.at, browserZone)} (запись № ${latest.chainSeq}, всего ${countOf(latest.count, ENTRY)})`
          : ''}
        , {signature}.
      </Typography.Text>
      {checkpoints.problems.map((problem) => (
        <Typography.Text key={problem} type="danger">
          {problem}
        </Typography.Text>
      ))}
    </Flex>
  );
}

export function ChainStatus() {
  const verify = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => unwrap(api.GET('/api/audit/verify')),
    staleTime: 60_000,
  });

  const recheck = (
    <Button icon={<ReloadOutlined />} loading={verify.isFetching} onClick={() => void verify.refetch()}>
      Проверить снова
    </Button>
  );

  return (
    <Card title={<h2 className="card-heading">Целостность журнала</h2>} extra={recheck} size="small">
      {verify.isPending ? (
        <Typography.Text role="status">Цепочка хешей проверяется: каждая запись журнала пересчитывается…</Typography.Text>
      ) : verify.isError ? (
        <LoadError error={verify.error} title="Не удалось проверить цепочку" />
      ) : (
        <Flex vertical gap="small">
          {verify.data.ok ? (
            <Alert
              type="success"
              showIcon
              icon={<CheckCircleOutlined />}
              title="Цепочка записей не нарушена"
              description={`Проверено ${countOf(verify.data.checked, ENTRY)}: ни одна запись не изменена и не удалена с момента записи.`}
            />
          ) : verify.data.brokenAt ? (
            <Alert
              type="error"
              showIcon
              icon={<CloseCircleOutlined />}
              title={`Цепочка нарушена на записи № ${verify.data.brokenAt.chainSeq}`}
              description={
                <Flex vertical>
                  <span>{verify.data.brokenAt.reason}</span>
                  <span>До неё проверено {countOf(verify.data.checked, ENTRY)} без нарушений.</span>
                </Flex>
              }
            />
          ) : (
            <Alert
              type="error"
              showIcon
              icon={<CloseCircleOutlined />}
              title="Файл контрольных точек повреждён"
              description={`Записи журнала целы (проверено ${countOf(verify.data.checked, ENTRY)}), но часть контрольных точек подписана неверно: их подделали или подписали другим ключом.`}
            />
          )}
          <CheckpointSummary checkpoints={verify.data.checkpoints} />
        </Flex>
      )}
    </Card>
  );
}
