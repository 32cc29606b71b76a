/**
 * Asks `read` every 250 ms until it gives a value (a task the workflow has issued, a row the API has written):
 * waiting for the event, bounded so that a run that never gets it fails with `what` and, when given, `detail()`.
 */
export async function pollUntil<T>(what: string, read: () => Promise<T | undefined>, timeoutMs: number, detail?: () => Promise<string>): Promise<T> {
  for (const until = Date.now() + timeoutMs; ; ) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms${detail ? `; ${await detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
