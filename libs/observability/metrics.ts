import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric of ours, plus Node's process metrics; each process serves it on its own /metrics. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const activityFailures = new Counter({
  name: 'uplift_activity_failures_total',
  help: 'Activity attempts that ended in an error (Temporal retries them unless the error is permanent)',
  labelNames: ['activity_type'] as const,
  registers: [metricsRegistry],
});

export const activityRetries = new Counter({
  name: 'uplift_activity_retries_total',
  help: 'Activity attempts after the first (a retry after a failure or a timeout)',
  labelNames: ['activity_type'] as const,
  registers: [metricsRegistry],
});

const FILE_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export const identificationImportDuration = new Histogram({
  name: 'uplift_identification_import_duration_seconds',
  help: 'Time to import one identification file (parse, check, store), by kind of file and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: FILE_SECONDS,
  registers: [metricsRegistry],
});

export const auditExportDuration = new Histogram({
  name: 'uplift_audit_export_duration_seconds',
  help: 'Time to build one audit export (JSON or CSV), by what is exported and outcome',
  labelNames: ['kind', 'outcome'] as const,
  buckets: FILE_SECONDS,
  registers: [metricsRegistry],
});

export const httpRequestDuration = new Histogram({
  name: 'uplift_http_request_duration_seconds',
  help: 'API requests by route template, method and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
  registers: [metricsRegistry],
});

/** Times `work` into `histogram`, labelled `outcome` = ok or error (plus `labels`), and returns its result. */
export async function timed<T, L extends string>(
  histogram: Histogram<L | 'outcome'>,
  labels: Partial<Record<L, string>>,
  work: () => Promise<T>,
): Promise<T> {
  const stop = histogram.startTimer(labels as Partial<Record<L | 'outcome', string>>);
  try {
    const result = await work();
    stop({ outcome: 'ok' } as Partial<Record<L | 'outcome', string>>);
    return result;
  } catch (err) {
    stop({ outcome: 'error' } as Partial<Record<L | 'outcome', string>>);
    throw err;
  }
}

/** What the read model says at scrape time; the worker registers it (see registerReadModelGauges). */
export interface ReadModelCounts {
  tasksByRegion(): Promise<{ region: string; open: number; overdue: number }[]>;
  emailsByState(): Promise<Record<string, number>>;
}

/** A scrape every few seconds must not become a query every few seconds: answers are reused for this long. */
const READ_MODEL_REUSE_MS = 15_000;

/**
 * Gauges computed from PostgreSQL when scraped (at most once per READ_MODEL_REUSE_MS): open and overdue tasks per
 * region, e-mails in the outbox by state. Registered by one kind of process only (the worker), so that dashboards
 * do not add up copies.
 */
export function registerReadModelGauges(source: ReadModelCounts, now: () => number = Date.now): void {
  // A second worker in one process (tests) takes over the gauges rather than failing on a duplicate name.
  for (const name of ['uplift_tasks_open', 'uplift_tasks_overdue', 'uplift_emails']) metricsRegistry.removeSingleMetric(name);
  let tasks: { at: number; value: Promise<{ region: string; open: number; overdue: number }[]> } | undefined;
  let emails: { at: number; value: Promise<Record<string, number>> } | undefined;
  const taskCounts = () => {
    if (!tasks || now() - tasks.at > READ_MODEL_REUSE_MS) tasks = { at: now(), value: source.tasksByRegion() };
    const current = tasks;
    // A failed query is not kept: the next scrape asks again.
    current.value.catch(() => (tasks === current ? (tasks = undefined) : undefined));
    return current.value;
  };
  new Gauge({
    name: 'uplift_tasks_open',
    help: 'Open tasks per region of the assignee',
    labelNames: ['region'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const row of await taskCounts()) this.set({ region: row.region }, row.open);
    },
  });
  new Gauge({
    name: 'uplift_tasks_overdue',
    help: 'Open tasks past their due time per region of the assignee',
    labelNames: ['region'] as const,
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      for (const row of await taskCounts()) this.set({ region: row.region }, row.overdue);
    },
  });
  new Gauge({
    name: 'uplift_emails',
    help: 'E-mails in the outbox by state: sent, waiting, failed (last attempt failed), no_recipients',
    labelNames: ['state'] as const,
    registers: [metricsRegistry],
    async collect() {
      if (!emails || now() - emails.at > READ_MODEL_REUSE_MS) emails = { at: now(), value: source.emailsByState() };
      const current = emails;
      current.value.catch(() => (emails === current ? (emails = undefined) : undefined));
      for (const [state, count] of Object.entries(await current.value)) this.set({ state }, count);
    },
  });
}
