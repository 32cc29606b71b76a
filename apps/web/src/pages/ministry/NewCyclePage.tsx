/**
 * `/cycles/new`: launch the region's yearly cycle. 1) the template: a shipped or published one, or the region's own
 * YAML written or uploaded here, checked (every problem with its path, its line marked in the editor) and published
 * as a version; 2) the year; 3) «Проверить расписание»: the dry run of that version for the region; 4) «Запустить»
 * with a confirmation, which asks a second person of the ministry to confirm the launch (four eyes), then the
 * request's page, which follows the decision and leads to the cycle's dashboard. A template written for another zone is refused by the dry run
 * with the API's message; the «Принять часовой пояс региона» box then sends adoptRegionTimeZone with both requests.
 */
import { ArrowLeftOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Flex,
  Form,
  List,
  Radio,
  Select,
  Skeleton,
  Space,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { lazy, Suspense, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, ApiError, errorMessage, unwrap, useMe } from '../../api/client';
import { countOf, zoneLabel } from '../../format';
import { cycleActionKeys, SECOND_PERSON_NOTE } from './cycle-actions';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, yearText } from './labels';
import { locateProblems } from './problem-lines';
import { useCycles, useOrganizations, useTemplates } from './queries';
import type { ScheduleView } from './DryRunSchedule';
import type { TemplateEditorHandle } from './TemplateEditor';
import type { DryRunView, TemplateSummary, TemplateValidation } from './types';

const TemplateEditor = lazy(() => import('./TemplateEditor'));
const DryRunSchedule = lazy(() => import('./DryRunSchedule'));

const FIRST_YEAR = CALENDAR_FIRST_YEAR;
const LAST_YEAR = CALENDAR_LAST_YEAR;
/** «содержит 1 ошибку, 3 ошибки, 5 ошибок». */
const PROBLEM = { one: 'ошибку', few: 'ошибки', many: 'ошибок' };

/** The academic year under way today: from August on, the one starting this year. */
function currentAcademicYear(now = new Date()): number {
  return now.getMonth() >= 7 ? now.getFullYear() : now.getFullYear() - 1;
}

type Source = 'published' | 'own';
interface Chosen {
  id: string;
  version: number;
}

export default function NewCyclePage() {
  const { message, modal } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const templates = useTemplates();
  const cycles = useCycles();
  const organizations = useOrganizations(me.data?.regionCode);
  const ministry = organizations.data?.find((o) => o.kind === 'ministry');
  const regionZone = ministry?.timeZone;

  const [source, setSource] = useState<Source>('published');
  const [chosen, setChosen] = useState<Chosen | undefined>();
  const [year, setYear] = useState<number>(() => Math.min(LAST_YEAR, currentAcademicYear()));
  const [adoptZone, setAdoptZone] = useState(false);

  // The region's own template, as text.
  const [text, setText] = useState('');
  const [checked, setChecked] = useState<{ text: string; result: TemplateValidation } | undefined>();
  const [baseId, setBaseId] = useState<string | undefined>();
  const editorRef = useRef<TemplateEditorHandle>(null);

  const [dryRun, setDryRun] = useState<{ key: string; result: DryRunView } | undefined>();
  const [dryRunError, setDryRunError] = useState<string | undefined>();
  const [launchError, setLaunchError] = useState<string | undefined>();
  // The schedule's view (timeline or calendar) outlives one dry run: checking again keeps what the person chose.
  const [scheduleView, setScheduleView] = useState<ScheduleView>('timeline');

  const summaries = templates.data ?? [];
  const template: TemplateSummary | undefined = chosen ? summaries.find((t) => t.id === chosen.id) : undefined;
  const calendarYear = template?.firstCalendarYear != null;
  const zoneDiffers = Boolean(template && regionZone && template.timeZone !== regionZone);
  const selectionKey = chosen ? `${chosen.id}@${chosen.version}|${year}|${adoptZone}` : '';
  const currentDryRun = dryRun?.key === selectionKey ? dryRun.result : undefined;
  const format: 'yaml' | 'json' = text.trimStart().startsWith('{') ? 'json' : 'yaml';

  const resetRun = () => {
    setDryRun(undefined);
    setDryRunError(undefined);
    setLaunchError(undefined);
  };

  const detail = useQuery({
    queryKey: ['templates', 'detail', chosen?.id, chosen?.version],
    enabled: Boolean(chosen),
    queryFn: () =>
      unwrap(api.GET('/api/templates/{id}', { params: { path: { id: chosen!.id }, query: { version: chosen!.version } } })),
  });
  const stages = detail.data?.stages ?? template?.stages ?? [];

  const validate = useMutation({
    mutationFn: (body: { source: string; format: 'yaml' | 'json' }) => unwrap(api.POST('/api/templates/validate', { body })),
    onSuccess: (result, body) => setChecked({ text: body.source, result }),
    onError: (err) => void message.error(errorMessage(err)),
  });

  const publish = useMutation({
    mutationFn: (body: { source: string; format: 'yaml' | 'json' }) => unwrap(api.POST('/api/templates', { body })),
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: ['templates'] });
      const t = answer.template;
      setChosen({ id: t.id, version: t.version });
      resetRun();
      void message.success(
        answer.created ? `Версия ${t.version} шаблона «${t.id}» опубликована` : `Версия ${t.version} шаблона «${t.id}» уже была опубликована с этим текстом`,
      );
    },
  });

  const loadBase = useMutation({
    mutationFn: (id: string) => unwrap(api.GET('/api/templates/{id}', { params: { path: { id } } })),
    onSuccess: (t) => {
      setText(t.sourceText);
      setChecked(undefined);
    },
    onError: (err) => void message.error(errorMessage(err)),
  });

  const runDryRun = useMutation({
    mutationFn: (v: { chosen: Chosen; year: number; adoptZone: boolean; key: string }) =>
      unwrap(
        api.POST('/api/templates/{id}/dry-run', {
          params: { path: { id: v.chosen.id }, query: { version: v.chosen.version } },
          body: { academicYear: v.year, ...(v.adoptZone ? { adoptRegionTimeZone: true } : {}) },
        }),
      ),
    onMutate: () => resetRun(),
    onSuccess: (result, v) => setDryRun({ key: v.key, result }),
    onError: (err) => setDryRunError(errorMessage(err)),
  });

  const launch = useMutation({
    mutationFn: (c: Chosen) =>
      unwrap(
        api.POST('/api/cycles', {
          body: { templateId: c.id, templateVersion: c.version, academicYear: year, ...(adoptZone ? { adoptRegionTimeZone: true } : {}) },
        }),
      ),
    // Four eyes: the answer is the request waiting for a second person; its page follows the decision.
    onSuccess: async (request) => {
      await queryClient.invalidateQueries({ queryKey: cycleActionKeys.all });
      void message.success('Запрос на запуск отправлен на подтверждение');
      void navigate(`/cycle-actions/${encodeURIComponent(request.id)}`);
    },
    onError: (err) => setLaunchError(errorMessage(err)),
  });

  const located = useMemo(
    () => (checked && checked.text === text ? locateProblems(checked.text, checked.result.problems) : []),
    [checked, text],
  );
  const markedLines = useMemo(() => located.flatMap((p) => (p.line ? [p.line] : [])), [located]);
  const checkedValid = checked?.text === text && checked.result.valid;
  const timeZoneRefusal = Boolean(dryRunError && /adoptRegionTimeZone|часовому поясу/.test(dryRunError));

  const confirmLaunch = () => {
    if (!chosen || !currentDryRun) return;
    modal.confirm({
      title: 'Запустить цикл?',
      content: (
        <Flex vertical gap={8}>
          <span>
            Цикл региона на {yearText(year, calendarYear)} по шаблону «{template?.title ?? chosen.id}» (версия {chosen.version}).
          </span>
          <span>
            Будет запланировано {countOf(currentDryRun.tasks.length, { one: 'задача', few: 'задачи', many: 'задач' })}; организации
            начнут получать задачи и напоминания. Запущенный цикл сохраняет эту версию шаблона; отменить его можно только
            целиком.
          </span>
          <span>{SECOND_PERSON_NOTE}</span>
          {adoptZone && <span>Время шаблона будет читаться по часовому поясу региона ({regionZone}).</span>}
        </Flex>
      ),
      okText: 'Запустить',
      cancelText: 'Отмена',
      onOk: () => launch.mutateAsync(chosen).catch(() => undefined),
    });
  };

  // A region runs one cycle per year number (its id is the region and the year), so a year already taken is shown so.
  const taken = new Set((cycles.data ?? []).map((c) => c.academicYear));
  const yearOptions = Array.from({ length: LAST_YEAR - FIRST_YEAR + 1 }, (_, i) => LAST_YEAR - i).map((y) => ({
    value: y,
    label: `${calendarYear ? String(y) : `${y}/${y + 1}`}${taken.has(y) ? ' — цикл уже запущен' : ''}`,
    disabled: taken.has(y),
  }));

  if (me.data && me.data.role !== 'ministry_admin') {
    return <Alert type="warning" showIcon title="Запускать цикл может только администратор министерства" />;
  }

  return (
    <Flex vertical gap={16} style={{ maxWidth: 1100 }}>
      <div>
        <Link to="/cycles">
          <ArrowLeftOutlined /> К списку циклов
        </Link>
      </div>
      <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
        Запуск цикла
      </Typography.Title>

      <Card title="1. Шаблон" size="small">
        <Flex vertical gap={12}>
          <Radio.Group
            aria-label="Откуда взять шаблон"
            value={source}
            onChange={(e) => setSource(e.target.value as Source)}
            options={[
              { value: 'published', label: 'Готовый шаблон' },
              { value: 'own', label: 'Свой шаблон (YAML)' },
            ]}
            optionType="button"
          />
          {source === 'published' ? (
            <Form layout="vertical" style={{ marginBottom: 0 }}>
              <Form.Item label="Шаблон" htmlFor="cycle-template" style={{ marginBottom: 8 }}>
                <Select
                  id="cycle-template"
                  showSearch={{ optionFilterProp: 'label' }}
                  placeholder="Выберите шаблон"
                  loading={templates.isLoading}
                  value={chosen ? `${chosen.id}@${chosen.version}` : undefined}
                  onChange={(v: string) => {
                    const t = summaries.find((s) => `${s.id}@${s.version}` === v);
                    if (t) setChosen({ id: t.id, version: t.version });
                    setAdoptZone(false);
                    resetRun();
                  }}
                  options={summaries.map((t) => ({
                    value: `${t.id}@${t.version}`,
                    label: `${t.title} (${t.id}, версия ${t.version}${t.builtin ? ', поставляемый' : ', шаблон региона'})`,
                  }))}
                  style={{ width: '100%' }}
                />
              </Form.Item>
              {templates.error && <Alert type="error" showIcon title={errorMessage(templates.error)} />}
            </Form>
          ) : (
            <Flex vertical gap={8}>
              <Flex wrap gap={8} align="center">
                <Select
                  aria-label="Взять за основу шаблон"
                  placeholder="Взять за основу…"
                  style={{ minWidth: 260 }}
                  value={baseId}
                  onChange={(id: string) => {
                    setBaseId(id);
                    loadBase.mutate(id);
                  }}
                  options={summaries.map((t) => ({ value: t.id, label: `${t.id} (версия ${t.version})` }))}
                />
                <Upload
                  accept=".yaml,.yml,.json,text/yaml,application/json"
                  showUploadList={false}
                  beforeUpload={(file) => {
                    void file.text().then((t) => {
                      setText(t);
                      setChecked(undefined);
                    });
                    return false;
                  }}
                >
                  <Button icon={<UploadOutlined />}>Загрузить файл</Button>
                </Upload>
                <Typography.Text type="secondary">
                  Формат: {format === 'json' ? 'JSON' : 'YAML'}. Справочник полей — libs/templates/README.md.
                </Typography.Text>
              </Flex>
              <Suspense fallback={<Skeleton active paragraph={{ rows: 8 }} />}>
                <TemplateEditor
                  ref={editorRef}
                  value={text}
                  onChange={(v) => setText(v)}
                  problemLines={markedLines}
                  label="Текст шаблона"
                />
              </Suspense>
              <Space wrap>
                <Button onClick={() => validate.mutate({ source: text, format })} loading={validate.isPending} disabled={!text.trim()}>
                  Проверить шаблон
                </Button>
                <Button
                  type="primary"
                  onClick={() => publish.mutate({ source: text, format })}
                  loading={publish.isPending}
                  disabled={!checkedValid}
                >
                  Опубликовать версию
                </Button>
              </Space>
              {checked && checked.text === text && (
                <Alert
                  type={checked.result.valid ? 'success' : 'error'}
                  showIcon
                  title={
                    checked.result.valid
                      ? 'Ошибок нет: версию можно опубликовать и проверить её расписание'
                      : `Шаблон содержит ${countOf(checked.result.problems.length, PROBLEM)}`
                  }
                  description={
                    located.length > 0 && (
                      <List
                        size="small"
                        aria-label="Ошибки шаблона"
                        dataSource={located}
                        renderItem={({ problem, line, fromPath }) => (
                          <List.Item style={{ paddingInline: 0 }}>
                            <Flex vertical gap={2}>
                              <Flex wrap gap={6} align="center">
                                <Typography.Text code>{problem.path || '/'}</Typography.Text>
                                {line !== undefined && (
                                  <Button size="small" type="link" style={{ padding: 0 }} onClick={() => editorRef.current?.goToLine(line)}>
                                    строка {line}
                                    {problem.column != null ? `, позиция ${problem.column}` : ''}
                                    {fromPath ? ' (по пути)' : ''}
                                  </Button>
                                )}
                              </Flex>
                              <span>{problem.message}</span>
                            </Flex>
                          </List.Item>
                        )}
                      />
                    )
                  }
                />
              )}
              {publish.error && (
                <Alert
                  type="error"
                  showIcon
                  title={publish.error instanceof ApiError ? publish.error.message : errorMessage(publish.error)}
                  description={
                    publish.error instanceof ApiError && publish.error.details.length > 0 ? (
                      <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                        {publish.error.details.map((d) => (
                          <li key={d}>{d}</li>
                        ))}
                      </ul>
                    ) : undefined
                  }
                />
              )}
              {chosen && template && (
                <Typography.Text>
                  Для запуска выбран: <strong>{template.title}</strong> ({chosen.id}, версия {chosen.version})
                </Typography.Text>
              )}
            </Flex>
          )}
          {template && (
            <Typography.Text type="secondary">
              Часовой пояс шаблона: {zoneLabel(template.timeZone)} ({template.timeZone})
              {regionZone ? `; региона: ${zoneLabel(regionZone)} (${regionZone})` : ''}.{' '}
              {template.firstCalendarYear != null
                ? `Даты написаны на ${template.firstCalendarYear} год.`
                : `Даты написаны на ${template.firstAcademicYear}/${(template.firstAcademicYear ?? 0) + 1} учебный год.`}{' '}
              Этапов: {template.stages.length}.
            </Typography.Text>
          )}
        </Flex>
      </Card>

      <Card title="2. Год" size="small">
        <Form layout="vertical" style={{ marginBottom: 0 }}>
          <Form.Item
            label={calendarYear ? 'Календарный год' : 'Учебный год'}
            htmlFor="cycle-year"
            extra="Все даты шаблона сдвигаются на разницу между годом шаблона и выбранным."
            style={{ marginBottom: 8 }}
          >
            <Select
              id="cycle-year"
              value={year}
              onChange={(y: number) => {
                setYear(y);
                resetRun();
              }}
              options={yearOptions}
              style={{ width: 300, maxWidth: '100%' }}
            />
          </Form.Item>
          {(zoneDiffers || timeZoneRefusal || adoptZone) && (
            <Form.Item style={{ marginBottom: 0 }}>
              <Checkbox
                checked={adoptZone}
                onChange={(e) => {
                  setAdoptZone(e.target.checked);
                  resetRun();
                }}
              >
                Принять часовой пояс региона
              </Checkbox>
              <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
                Время в шаблоне будет читаться как местное время региона{regionZone ? ` (${regionZone})` : ''}: срок «18:00» — это
                18:00 по времени региона. Время не пересчитывается.
              </Typography.Paragraph>
            </Form.Item>
          )}
        </Form>
      </Card>

      <Card
        title="3. Расписание"
        size="small"
        extra={
          <Button onClick={() => chosen && runDryRun.mutate({ chosen, year, adoptZone, key: selectionKey })} loading={runDryRun.isPending} disabled={!chosen}>
            Проверить расписание
          </Button>
        }
      >
        {!chosen && <Typography.Text type="secondary">Выберите или опубликуйте шаблон.</Typography.Text>}
        {chosen && !currentDryRun && !dryRunError && !runDryRun.isPending && (
          <Typography.Text type="secondary">
            «Проверить расписание» покажет каждую задачу цикла для организаций региона: срок на рабочий день, напоминания
            и эскалации — лентой по этапам или календарём по дням.
          </Typography.Text>
        )}
        {dryRunError && (
          <Alert
            type="error"
            showIcon
            title="Расписание не построено"
            description={
              <Flex vertical gap={4}>
                <span>{dryRunError}</span>
                {timeZoneRefusal && !adoptZone && (
                  <strong>Отметьте «Принять часовой пояс региона» выше и проверьте расписание снова.</strong>
                )}
              </Flex>
            }
          />
        )}
        {currentDryRun && (
          <Suspense fallback={<Skeleton active />}>
            <DryRunSchedule
              result={currentDryRun}
              stages={stages}
              organizations={organizations.data ?? []}
              view={scheduleView}
              onViewChange={setScheduleView}
            />
          </Suspense>
        )}
      </Card>

      <Card title="4. Запуск" size="small">
        <Flex vertical gap={8} align="start">
          {launchError && <Alert type="error" showIcon title={launchError} style={{ alignSelf: 'stretch' }} />}
          <Space wrap>
            <Button type="primary" onClick={confirmLaunch} disabled={!currentDryRun} loading={launch.isPending}>
              Запустить
            </Button>
            {!currentDryRun && <Typography.Text type="secondary">Сначала проверьте расписание.</Typography.Text>}
            {currentDryRun && chosen && (
              <Tag color="blue">
                {chosen.id}, версия {chosen.version}, {yearText(year, calendarYear)}
              </Tag>
            )}
          </Space>
        </Flex>
      </Card>
    </Flex>
  );
}
