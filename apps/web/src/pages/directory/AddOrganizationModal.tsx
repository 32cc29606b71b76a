/**
 * Adding an organisation of the region (POST /api/organizations): its kind, name, where it belongs (a school to its
 * municipality, a municipality and the institute to the ministry — escalations climb that way), its zone, a school's
 * code in the identification files, and the id that task keys and addresses will carry (suggested from the name).
 */
import { Alert, Form, Input, Modal, Radio, Select, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { zoneLabel } from '../../format';
import { ORGANIZATION_KINDS } from '../audit/labels';
import { showFieldErrors } from './form-errors';
import { ORGANIZATION_ID, RUSSIAN_ZONES, SCHOOL_CODE, suggestOrganizationId, type Organization, type OrganizationKind } from './labels';
import { useCreateOrganization } from './queries';

interface Values {
  kind: OrganizationKind;
  name: string;
  parentId?: string;
  code?: string;
  timeZone: string;
  id: string;
}

const FIELDS = ['kind', 'name', 'parentId', 'code', 'timeZone', 'id'] as const;
const KINDS: OrganizationKind[] = ['school', 'municipality', 'institute', 'ministry'];

interface AddOrganizationModalProps {
  open: boolean;
  regionCode: string;
  organizations: Organization[];
  /** The zone new organisations get unless chosen otherwise: the ministry's. */
  defaultTimeZone: string;
  onClose(): void;
  onCreated(org: Organization): void;
}

export function AddOrganizationModal({ open, regionCode, organizations, defaultTimeZone, onClose, onCreated }: AddOrganizationModalProps) {
  const [form] = Form.useForm<Values>();
  const create = useCreateOrganization();
  const [alert, setAlert] = useState<string>();
  // The id follows the name until the administrator edits it by hand.
  const [idTouched, setIdTouched] = useState(false);
  const kind = Form.useWatch('kind', form) ?? 'school';
  const name = Form.useWatch('name', form) ?? '';
  const code = Form.useWatch('code', form) ?? '';

  const ministries = useMemo(() => organizations.filter((o) => o.kind === 'ministry'), [organizations]);
  const municipalities = useMemo(
    () => organizations.filter((o) => o.kind === 'municipality').sort((a, b) => a.name.localeCompare(b.name, 'ru')),
    [organizations],
  );
  const parents = kind === 'school' ? municipalities : kind === 'ministry' ? [] : ministries;

  useEffect(() => {
    if (!idTouched && open) form.setFieldValue('id', name.trim() || code.trim() ? suggestOrganizationId(regionCode, kind, name, code.trim()) : '');
  }, [form, idTouched, open, regionCode, kind, name, code]);

  useEffect(() => {
    // A municipality or the institute belongs to the region's ministry: chosen for the administrator when there is one.
    if (kind === 'ministry') form.setFieldValue('parentId', undefined);
    else if (kind !== 'school' && ministries.length === 1) form.setFieldValue('parentId', ministries[0].id);
    else if (kind === 'school' && !municipalities.some((m) => m.id === form.getFieldValue('parentId'))) form.setFieldValue('parentId', undefined);
  }, [form, kind, ministries, municipalities]);

  const submit = async () => {
    setAlert(undefined);
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    try {
      const created = await create.mutateAsync({
        id: v.id.trim(),
        kind: v.kind,
        name: v.name.trim(),
        regionCode,
        timeZone: v.timeZone,
        ...(v.parentId ? { parentId: v.parentId } : {}),
        ...(v.kind === 'school' && v.code?.trim() ? { code: v.code.trim() } : {}),
      });
      onCreated(created);
    } catch (error) {
      setAlert(showFieldErrors(form, error, FIELDS));
    }
  };

  return (
    <Modal
      open={open}
      title="Новая организация"
      okText="Добавить"
      cancelText="Отмена"
      confirmLoading={create.isPending}
      destroyOnHidden
      onCancel={onClose}
      onOk={() => void submit()}
      afterOpenChange={(visible) => {
        if (!visible) {
          setAlert(undefined);
          setIdTouched(false);
        }
      }}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        requiredMark="optional"
        initialValues={{ kind: 'school', timeZone: defaultTimeZone }}
      >
        <Form.Item name="kind" label="Вид организации" rules={[{ required: true, message: 'Выберите вид' }]}>
          <Radio.Group
            optionType="button"
            options={KINDS.map((k) => ({ value: k, label: ORGANIZATION_KINDS[k] }))}
            aria-label="Вид организации"
          />
        </Form.Item>
        <Form.Item
          name="name"
          label="Название"
          rules={[
            { required: true, whitespace: true, message: 'Укажите название, как в уставе' },
            { max: 300, message: 'Не длиннее 300 символов' },
          ]}
        >
          <Input maxLength={300} placeholder={kind === 'school' ? 'МБОУ «СОШ № 7» п. Северный' : 'Управление образования Западного района'} />
        </Form.Item>
        {kind !== 'ministry' && (
          <Form.Item
            name="parentId"
            label={kind === 'school' ? 'Муниципалитет' : 'Министерство'}
            extra={kind === 'school' ? 'Школа отвечает перед своим муниципалитетом: ему приходят её эскалации' : undefined}
            rules={[{ required: true, message: kind === 'school' ? 'Выберите муниципалитет школы' : 'Выберите министерство' }]}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={kind === 'school' ? 'Выберите муниципалитет' : 'Выберите министерство'}
              options={parents.map((o) => ({ value: o.id, label: o.name }))}
              notFoundContent={kind === 'school' ? 'Сначала добавьте муниципалитет' : 'Сначала добавьте министерство'}
            />
          </Form.Item>
        )}
        {kind === 'school' && (
          <Form.Item
            name="code"
            label="Код школы"
            extra="Код из файлов идентификации («Код ОО»), с ведущими нулями: по нему загрузка результатов находит школу"
            rules={[{ pattern: SCHOOL_CODE, message: 'Цифры и буквы без пробелов (можно . _ / -), до 32 символов, например 000101' }]}
          >
            <Input maxLength={32} placeholder="000104" />
          </Form.Item>
        )}
        <Form.Item name="timeZone" label="Часовой пояс" extra="Сроки задач организации считаются по её местному времени" rules={[{ required: true, message: 'Выберите часовой пояс' }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={[...new Set([defaultTimeZone, ...RUSSIAN_ZONES])].map((z) => ({ value: z, label: zoneLabel(z) }))}
          />
        </Form.Item>
        <Form.Item
          name="id"
          label="Идентификатор"
          extra="Латиницей: его видно в адресах страниц и ключах задач; изменить потом нельзя. Предложен по названию."
          rules={[
            { required: true, whitespace: true, message: 'Укажите идентификатор' },
            { pattern: ORGANIZATION_ID, message: 'Латинские строчные буквы, цифры и дефис; от 2 до 64 символов, начиная с буквы или цифры' },
          ]}
        >
          <Input maxLength={64} autoComplete="off" onChange={() => setIdTouched(true)} />
        </Form.Item>
        {alert && <Alert type="error" showIcon role="alert" title={alert} />}
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          Сотрудников организации можно добавить на её странице.
        </Typography.Paragraph>
      </Form>
    </Modal>
  );
}
