/**
 * The worker thread's entry (libs/import/xlsx-parse.ts starts it): parses one workbook and posts its rows back.
 * Its heap is capped by the parent, so a workbook that needs more memory than that ends this thread, not the API.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readWorkbookRows } from './xlsx-rows';

const { content } = workerData as { content: Uint8Array };
readWorkbookRows(Buffer.from(content.buffer, content.byteOffset, content.byteLength)).then(
  (result) => parentPort!.postMessage(result),
  () => parentPort!.postMessage({ unreadable: true }),
);
