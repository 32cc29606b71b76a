/**
 * Monitoring dynamics of a cycle (GET /api/cycles/:id/monitoring/dynamics) as an ECharts line chart, in three views:
 * one line per municipality (the API's mean of its schools' values in each period) and one for the region; one line
 * per school of a municipality (or of all of them) beside the municipality's (or the region's) mean; one school with
 * its municipality's and the region's means for comparison. Under the chart, a table with the very numbers drawn (the
 * chart's text alternative for screen readers and for anyone who wants the figures), and the reporting per period
 * (expected, submitted, missing, late). Loaded lazily with ECharts, so the rest of the dashboard does not wait for it.
 *
 * The region's line is computed here: for each period, the mean of the values of every school that reported the
 * indicator in that period (each school counts once, whatever its municipality's size). It is said under the chart.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Empty, Flex, Segmented, Select, Skeleton, Table, Typography } from 'antd';
import { LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useMemo, useRef, useState } from 'react';
import { api, ApiError, errorMessage, unwrap } from '../../api/client';
import { formatNumber } from '../../format';
import { cycleKeys } from './queries';
import type { DynamicsView } from './types';

echarts.use([LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

type Period = DynamicsView['periods'][number];
type View = 'municipalities' | 'schools' | 'school';

/** One line of the chart and one row of the table under it. */
interface Line {
  key: string;
  name: string;
  values: (number | null)[];
  /** A mean drawn for comparison: dashed (a municipality's) or dotted (the region's). */
  mean?: 'municipality' | 'region';
}

const ALL = '*';
const REGION_MEAN = 'Регион (среднее по школам)';
/** Beyond this many rows the values table pages. */
const TABLE_PAGE = 20;

function useDynamics(cycleId: string) {
  return useQuery({
    queryKey: cycleKeys.dynamics(cycleId),
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/monitoring/dynamics', { params: { path: { cycleId } } })),
    retry: false,
  });
}

/** Mean of the schools' values per period: the region's line. */
function regionMeans(data: DynamicsView, indicatorId: string, periods: Period[]): (number | null)[] {
  return periods.map((p) => {
    const values = data.schools
      .filter((s) => s.indicatorId === indicatorId)
      .flatMap((s) => s.series.filter((pt) => pt.periodId === p.id).map((pt) => pt.value));
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
  });
}

/** Values shown as the chart's tooltips show them: 12 345,67; a period without a value is «—». */
function formatValue(v: number | null): string {
  return v === null ? '—' : formatNumber(v, 2);
}

function Chart({ option, label }: { option: echarts.EChartsCoreOption; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    const instance = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(ref.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);
  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height: 360 }} />;
}

export default function DynamicsPanel({ cycleId }: { cycleId: string }) {
  const dynamics = useDynamics(cycleId);
  const [indicatorId, setIndicatorId] = useState<string | undefined>();
  const [view, setView] = useState<View>('municipalities');
  const [municipalityId, setMunicipalityId] = useState<string>(ALL);
  const [schoolId, setSchoolId] = useState<string | undefined>();
  const data = dynamics.data;
  const indicator = data?.indicators.find((i) => i.id === indicatorId) ?? data?.indicators[0];

  const periods = useMemo(() => [...(data?.periods ?? [])].sort((a, b) => a.order - b.order), [data]);

  // The schools that reported the indicator, by name, and the municipalities they belong to.
  const schools = useMemo(
    () =>
      (data?.schools ?? [])
        .filter((s) => s.indicatorId === indicator?.id && s.series.length > 0)
        .sort((a, b) => a.organizationName.localeCompare(b.organizationName, 'ru')),
    [data, indicator],
  );
  const municipalityName = useMemo(() => new Map((data?.municipalities ?? []).map((m) => [m.municipalityId, m.municipalityName])), [data]);
  const municipalityIds = useMemo(
    () =>
      [...new Set(schools.map((s) => s.municipalityId))].sort((a, b) =>
        (municipalityName.get(a) ?? a).localeCompare(municipalityName.get(b) ?? b, 'ru'),
      ),
    [schools, municipalityName],
  );
  const school = schools.find((s) => s.organizationId === schoolId) ?? schools[0];
  // An indicator no school has reported yet has only the municipalities' view.
  const shownView: View = schools.length > 0 ? view : 'municipalities';
  const chosenMunicipality = municipalityId !== ALL && municipalityIds.includes(municipalityId) ? municipalityId : ALL;

  const lines = useMemo<Line[]>(() => {
    if (!data || !indicator) return [];
    const valuesOf = (series: { periodId: string; value: number }[]) => periods.map((p) => series.find((pt) => pt.periodId === p.id)?.value ?? null);
    const municipalMean = (id: string): Line => {
      const m = data.municipalities.find((x) => x.municipalityId === id && x.indicatorId === indicator.id);
      return {
        key: `mean:${id}`,
        name: `${municipalityName.get(id) ?? id} (среднее по школам)`,
        values: periods.map((p) => m?.series.find((pt) => pt.periodId === p.id)?.mean ?? null),
        mean: 'municipality',
      };
    };
    const region: Line = { key: 'region', name: REGION_MEAN, values: regionMeans(data, indicator.id, periods), mean: 'region' };
    switch (shownView) {
      case 'municipalities':
        return [
          ...data.municipalities
            .filter((m) => m.indicatorId === indicator.id)
            .map((m) => ({
              key: m.municipalityId,
              name: m.municipalityName,
              values: periods.map((p) => m.series.find((pt) => pt.periodId === p.id)?.mean ?? null),
            })),
          region,
        ];
      case 'schools': {
        const shown = schools.filter((s) => chosenMunicipality === ALL || s.municipalityId === chosenMunicipality);
        return [
          ...shown.map((s) => ({ key: s.organizationId, name: s.organizationName, values: valuesOf(s.series) })),
          chosenMunicipality === ALL ? region : municipalMean(chosenMunicipality),
        ];
      }
      case 'school':
        return school
          ? [
              { key: school.organizationId, name: school.organizationName, values: valuesOf(school.series) },
              municipalMean(school.municipalityId),
              region,
            ]
          : [];
    }
  }, [data, indicator, periods, shownView, schools, school, chosenMunicipality, municipalityName]);

  const what = !indicator
    ? ''
    : shownView === 'municipalities'
      ? 'по муниципалитетам и региону'
      : shownView === 'school'
        ? `школы «${school?.organizationName ?? ''}» в сравнении со средними по муниципалитету и региону`
        : chosenMunicipality === ALL
          ? 'по школам всех муниципалитетов и среднее по региону'
          : `по школам муниципалитета «${municipalityName.get(chosenMunicipality) ?? chosenMunicipality}» и его среднее`;

  const option = useMemo<echarts.EChartsCoreOption | undefined>(() => {
    if (!indicator || lines.length === 0) return undefined;
    const unit = indicator.unit ? `, ${indicator.unit}` : '';
    const ariaDescription =
      `Динамика показателя «${indicator.title}»${unit} ${what} по периодам: ` +
      lines.map((l) => `${l.name} — ${l.values.some((v) => v !== null) ? l.values.map(formatValue).join(', ') : 'нет данных'}`).join('; ');
    const series = lines.map((l) => ({
      name: l.name,
      type: 'line',
      connectNulls: true,
      ...(l.mean ? { lineStyle: { type: l.mean === 'region' ? 'dashed' : 'dotted', width: 3 } } : {}),
      data: l.values,
    }));
    return {
      // No drawing animation for those who ask the system for reduced motion (WCAG 2.3.3).
      animation: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
      // The chart's text alternative is the container's label and the table under it; ECharts' own is not Russian.
      aria: { enabled: true, label: { description: ariaDescription } },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, 2) : '—'),
      },
      // Many schools: the legend scrolls rather than covering the chart.
      legend: { type: lines.length > 8 ? 'scroll' : 'plain', bottom: 0 },
      grid: { left: 48, right: 16, top: 32, bottom: 72 },
      xAxis: { type: 'category', data: periods.map((p) => p.title) },
      yAxis: {
        type: 'value',
        name: `${indicator.title}${unit}`,
        nameTextStyle: { align: 'left' },
        axisLabel: { formatter: (v: number) => formatNumber(v, 2) },
      },
      series,
    };
  }, [indicator, lines, periods, what]);

  if (dynamics.isLoading) return <Skeleton active />;
  if (dynamics.error) {
    // 422: the plan has no monitoring; the API says so in Russian.
    const info = dynamics.error instanceof ApiError && dynamics.error.status === 422;
    return <Alert type={info ? 'info' : 'error'} showIcon title={errorMessage(dynamics.error)} />;
  }
  if (!data || !indicator) return <Empty description="В форме мониторинга нет числовых показателей" />;

  const reported = data.schools.some((s) => s.series.length > 0);
  const periodTitle = new Map(periods.map((p) => [p.id, p.title]));
  const tableLabel = `Значения показателя «${indicator.title}»${indicator.unit ? `, ${indicator.unit}` : ''} ${what} по периодам`;

  return (
    <Flex vertical gap={12}>
      <Flex wrap gap={8} align="center">
        <label htmlFor="dynamics-indicator">Показатель:</label>
        <Select
          id="dynamics-indicator"
          value={indicator.id}
          onChange={(v: string) => setIndicatorId(v)}
          options={data.indicators.map((i) => ({
            value: i.id,
            label: `${i.title}${i.unit ? `, ${i.unit}` : ''}${i.higherIsBetter ? '' : ' (чем меньше, тем лучше)'}`,
          }))}
          style={{ minWidth: 280 }}
        />
        <Typography.Text type="secondary">Форма «{data.form.title}»</Typography.Text>
      </Flex>
      {/* Before any report there is nothing to cut by school: the views appear with the first one. */}
      {schools.length > 0 && (
        <Flex wrap gap={8} align="center">
          <Segmented<View>
            aria-label="Разрез динамики"
            value={view}
            onChange={setView}
            options={[
              { value: 'municipalities', label: 'Муниципалитеты' },
              { value: 'schools', label: 'Школы' },
              { value: 'school', label: 'Одна школа' },
            ]}
          />
          {view === 'schools' && (
            <>
              <label htmlFor="dynamics-municipality">Муниципалитет:</label>
              <Select
                id="dynamics-municipality"
                value={chosenMunicipality}
                onChange={(v: string) => setMunicipalityId(v)}
                options={[
                  { value: ALL, label: 'Все муниципалитеты' },
                  ...municipalityIds.map((id) => ({ value: id, label: municipalityName.get(id) ?? id })),
                ]}
                style={{ minWidth: 240 }}
              />
            </>
          )}
          {view === 'school' && school && (
            <>
              <label htmlFor="dynamics-school">Школа:</label>
              <Select
                id="dynamics-school"
                showSearch={{ optionFilterProp: 'label' }}
                value={school.organizationId}
                onChange={(v: string) => setSchoolId(v)}
                options={schools.map((s) => ({
                  value: s.organizationId,
                  label: `${s.organizationName} (${municipalityName.get(s.municipalityId) ?? s.municipalityId})`,
                }))}
                style={{ minWidth: 320 }}
              />
            </>
          )}
        </Flex>
      )}
      {reported && option ? (
        <Chart option={option} label={`Динамика показателя «${indicator.title}» ${what} по периодам мониторинга`} />
      ) : (
        <Empty description="Отчётов мониторинга пока нет" />
      )}
      <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 13 }}>
        Линия муниципалитета — среднее значение показателя по его школам, сдавшим отчёт за период (считает API).
        Линия региона — среднее по всем школам, сдавшим отчёт за период: каждая школа учитывается один раз.
        {shownView !== 'municipalities' && ' Средние нарисованы пунктиром (регион — штрихами), школы — сплошными линиями.'}
      </Typography.Paragraph>
      {reported && lines.length > 0 && (
        <Table<Line>
          size="small"
          rowKey="key"
          dataSource={lines}
          pagination={lines.length > TABLE_PAGE ? { pageSize: TABLE_PAGE, showSizeChanger: false } : false}
          scroll={{ x: 'max-content' }}
          aria-label={tableLabel}
          title={() => tableLabel}
          columns={[
            {
              title: shownView === 'municipalities' ? 'Муниципалитет' : 'Школа или среднее',
              key: 'name',
              render: (_, l) => (l.mean ? <em>{l.name}</em> : l.name),
            },
            ...periods.map((p, i) => ({
              title: p.title,
              key: p.id,
              align: 'right' as const,
              render: (_: unknown, l: Line) => formatValue(l.values[i]),
            })),
          ]}
        />
      )}
      <Table
        size="small"
        rowKey="periodId"
        pagination={false}
        dataSource={data.reporting}
        scroll={{ x: 'max-content' }}
        aria-label="Сдача отчётов мониторинга по периодам"
        columns={[
          { title: 'Период', key: 'period', render: (_, r) => periodTitle.get(r.periodId) ?? r.periodId },
          { title: 'Ожидается', dataIndex: 'expected', key: 'expected', align: 'right', render: (v: number) => formatNumber(v) },
          { title: 'Сдано', dataIndex: 'submitted', key: 'submitted', align: 'right', render: (v: number) => formatNumber(v) },
          {
            title: 'Не сдано',
            key: 'missing',
            render: (_, r) =>
              r.missing.length === 0
                ? '—'
                : r.missing.map((m) => `${m.organizationName}${m.overdue ? ' (срок прошёл)' : ''}`).join(', '),
          },
          {
            title: 'Сдано с опозданием',
            key: 'late',
            render: (_, r) => (r.late.length === 0 ? '—' : r.late.map((l) => l.organizationName).join(', ')),
          },
        ]}
      />
    </Flex>
  );
}
