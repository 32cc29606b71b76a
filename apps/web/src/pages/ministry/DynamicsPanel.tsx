/**
 * Monitoring dynamics of a cycle (GET /api/cycles/:id/monitoring/dynamics) as an ECharts line chart: one line per
 * municipality (the API's mean of its schools' values in each period) and one for the region, and the reporting
 * per period (expected, submitted, missing, late). Loaded lazily with ECharts, so the rest of the dashboard does not
 * wait for it.
 *
 * The region's line is computed here: for each period, the mean of the values of every school that reported the
 * indicator in that period (each school counts once, whatever its municipality's size). It is said under the chart.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Empty, Flex, Select, Skeleton, Table, Typography } from 'antd';
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
  const data = dynamics.data;
  const indicator = data?.indicators.find((i) => i.id === indicatorId) ?? data?.indicators[0];

  const periods = useMemo(() => [...(data?.periods ?? [])].sort((a, b) => a.order - b.order), [data]);

  const option = useMemo<echarts.EChartsCoreOption | undefined>(() => {
    if (!data || !indicator) return undefined;
    const municipalities = data.municipalities.filter((m) => m.indicatorId === indicator.id);
    const unit = indicator.unit ? `, ${indicator.unit}` : '';
    const ariaDescription =
      `Динамика показателя «${indicator.title}»${unit} по периодам: ` +
      municipalities.map((m) => `${m.municipalityName} — ${m.series.map((pt) => formatNumber(pt.mean, 2)).join(', ') || 'нет данных'}`).join('; ');
    const series = [
      ...municipalities.map((m) => ({
        name: m.municipalityName,
        type: 'line',
        connectNulls: true,
        data: periods.map((p) => m.series.find((pt) => pt.periodId === p.id)?.mean ?? null),
      })),
      {
        name: 'Регион (среднее по школам)',
        type: 'line',
        connectNulls: true,
        lineStyle: { type: 'dashed', width: 3 },
        data: regionMeans(data, indicator.id, periods),
      },
    ];
    return {
      // No drawing animation for those who ask the system for reduced motion (WCAG 2.3.3).
      animation: !window.matchMedia('(prefers-reduced-motion: reduce)').matches,
      // The chart's text alternative is the container's label; ECharts' own generated description is not Russian.
      aria: { enabled: true, label: { description: ariaDescription } },
      tooltip: {
        trigger: 'axis',
        valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(v, 2) : '—'),
      },
      legend: { type: 'plain', bottom: 0 },
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
  }, [data, indicator, periods]);

  if (dynamics.isLoading) return <Skeleton active />;
  if (dynamics.error) {
    // 422: the plan has no monitoring; the API says so in Russian.
    const info = dynamics.error instanceof ApiError && dynamics.error.status === 422;
    return <Alert type={info ? 'info' : 'error'} showIcon title={errorMessage(dynamics.error)} />;
  }
  if (!data || !indicator) return <Empty description="В форме мониторинга нет числовых показателей" />;

  const reported = data.schools.some((s) => s.series.length > 0);
  const periodTitle = new Map(periods.map((p) => [p.id, p.title]));

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
      {reported && option ? (
        <Chart option={option} label={`Динамика показателя «${indicator.title}» по муниципалитетам и региону по периодам мониторинга`} />
      ) : (
        <Empty description="Отчётов мониторинга пока нет" />
      )}
      <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 13 }}>
        Линия муниципалитета — среднее значение показателя по его школам, сдавшим отчёт за период (считает API).
        Линия региона — среднее по всем школам, сдавшим отчёт за период: каждая школа учитывается один раз.
      </Typography.Paragraph>
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
