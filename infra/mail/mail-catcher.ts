import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importEsm } from '../support/esm';
import { assertPortFree } from '../support/ports';
import { formatDuration, type LogFn } from '../support/process';

export interface MailCatcherOptions {
  smtpPort: number;
  webPort: number;
  log?: LogFn;
}

export interface MailCatcherHandle {
  /** e.g. smtp://127.0.0.1:1025 — plain SMTP, no auth, no TLS. */
  smtpUrl: string;
  /** Web UI; the JSON API lives under `${inboxUrl}/api` (e.g. GET /api/email, DELETE /api/email/all). */
  inboxUrl: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

type MailDevModule = typeof import('maildev');

interface CaughtMail {
  subject?: string;
  to?: Array<{ address?: string }>;
}

/**
 * Runs MailDev v3 in-process. It is ESM-only (no `require` export condition), hence importEsm.
 * No outgoing relay is configured, so every message stays in the catcher.
 */
export async function startMailCatcher(opts: MailCatcherOptions): Promise<MailCatcherHandle> {
  const log = opts.log ?? (() => undefined);
  const startedAt = Date.now();

  await assertPortFree(opts.smtpPort, 'the mail catcher (SMTP)');
  await assertPortFree(opts.webPort, 'the mail catcher (web inbox)');

  // Without a mail directory MailDev writes .eml files to a shared <tmp>/maildev that it never
  // cleans; a private folder keeps parallel instances apart and is removed on stop.
  const mailDirectory = await fs.mkdtemp(path.join(os.tmpdir(), 'mail-catcher-'));

  const { MailDev } = await importEsm<MailDevModule>('maildev');
  const maildev = new MailDev({
    smtp: opts.smtpPort,
    ip: HOST,
    web: opts.webPort,
    webIp: HOST,
    mailDirectory,
    // MailDev logs straight to the console; our own log line below is enough.
    silent: true,
  });

  try {
    const servers = await maildev.start();
    servers.smtp.on('new', (mail: CaughtMail) => {
      const recipients = (mail.to ?? []).map((to) => to.address ?? '?').join(', ');
      log(`[mail] caught "${mail.subject ?? '(no subject)'}" for ${recipients || '(no recipients)'}`);
    });
  } catch (error) {
    await maildev.stop().catch(() => undefined);
    await fs.rm(mailDirectory, { recursive: true, force: true });
    throw error;
  }

  const smtpUrl = `smtp://${HOST}:${opts.smtpPort}`;
  const inboxUrl = `http://${HOST}:${opts.webPort}`;
  log(`Mail catcher ready: SMTP ${smtpUrl}, inbox ${inboxUrl} (${formatDuration(Date.now() - startedAt)})`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await maildev.stop();
      } finally {
        await fs.rm(mailDirectory, { recursive: true, force: true });
      }
    })();
    return stopping;
  };
  return { smtpUrl, inboxUrl, stop };
}
