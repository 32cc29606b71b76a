/** The hash chain's state (GET /api/audit/verify): every entry recomputed, the first break named. Auditors only. */
import { CheckCircleOutlined, CloseCircleOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Typography } from 'antd';
import { api, unwrap } from '../../api/client';
import { LoadError } from '../../components/states';
import { countOf } from '../../format';

const ENTRY = { one: 'запись', few: 'записи', many: 'записей' };

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
      ) : verify.data.ok ? (
        <Alert
          type="success"
          showIcon
          icon={<CheckCircleOutlined />}
          title="Цепочка записей не нарушена"
          description={`Проверено ${countOf(verify.data.checked, ENTRY)}: ни одна запись не изменена и не удалена с момента записи.`}
        />
      ) : (
        <Alert
          type="error"
          showIcon
          icon={<CloseCircleOutlined />}
          title={`Цепочка нарушена на записи № ${verify.data.brokenAt?.chainSeq ?? '?'}`}
          description={
            <Flex vertical>
              {verify.data.brokenAt?.reason && <span>{verify.data.brokenAt.reason}</span>}
              <span>До неё проверено {countOf(verify.data.checked, ENTRY)} без нарушений.</span>
            </Flex>
          }
        />
      )}
    </Card>
  );
}
