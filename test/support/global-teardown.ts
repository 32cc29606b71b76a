export default async function globalTeardown(): Promise<void> {
  const stops = ((globalThis as Record<string, unknown>).__UPLIFT_TEST_STOPS__ ?? []) as (() => Promise<void>)[];
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => process.stderr.write(`teardown: ${String(err)}\n`));
}
