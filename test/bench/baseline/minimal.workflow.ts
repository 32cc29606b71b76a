/**
 * The launch benchmark's bare baseline: the least a workflow can be (started, one durable timer), telling the
 * baseline worker through a sink once its first workflow task has set the timer.
 */
import { proxySinks, sleep, type Sinks } from '@temporalio/workflow';

export interface BaselineSinks extends Sinks {
  bench: { timerStarted(): void };
}

const { bench } = proxySinks<BaselineSinks>();

export async function minimalWorkflow(): Promise<void> {
  bench.timerStarted();
  await sleep('30 days');
}
