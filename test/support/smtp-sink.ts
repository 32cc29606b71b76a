import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

export interface SmtpSinkOptions {
  /**
   * Called once a message's DATA has fully arrived and before the server answers 250; a test can stall here
   * to kill the sender mid-send. A message whose client hung up meanwhile is not accepted, as with any SMTP server.
   */
  beforeAccept?: (messageNumber: number) => Promise<void>;
  /** Addresses refused for good at RCPT TO (550), as a relay refuses an unknown mailbox. */
  rejectRecipients?: string[];
}

/** A real SMTP server on a free loopback port that keeps every accepted message. */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  private server!: SMTPServer;
  private dataCommands = 0;
  private readonly closedSessions = new Set<string>();
  /** Every RCPT TO refused by `rejectRecipients`, in order. */
  readonly refusedRecipients: string[] = [];
  /** Messages whose sender disconnected before the server accepted them. */
  abandoned = 0;
  port = 0;

  static async start(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
    const sink = new SmtpSink();
    sink.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const refused = (options.rejectRecipients ?? []).some((a) => a.toLowerCase() === address.address.toLowerCase());
        if (!refused) return callback();
        sink.refusedRecipients.push(address.address);
        const error = new Error(`mailbox ${address.address} unavailable`) as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
      },
      onClose(session) {
        sink.closedSessions.add(session.id);
      },
      onData(stream, session, callback) {
        const number = ++sink.dataCommands;
        simpleParser(stream)
          .then(async (mail: ParsedMail) => {
            await options.beforeAccept?.(number);
            if (sink.closedSessions.has(session.id)) {
              sink.abandoned += 1;
              return callback(new Error('client disconnected before acceptance'));
            }
            sink.messages.push({
              messageId: mail.messageId ?? '',
              to: (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) =>
                a.value.map((v) => v.address ?? ''),
              ),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
            });
            callback();
          })
          .catch((err: Error) => callback(err));
      },
    });
    // A sender killed mid-session resets its connection, which smtp-server re-emits on the server: not a failure of
    // the sink, and unheard it would crash the test process.
    sink.server.on('error', () => undefined);
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages whose Message-ID names the task. */
  forTask(taskId: string): ReceivedMail[] {
    return this.messages.filter((m) => m.messageId.includes(`task.${taskId}.`));
  }

  async waitFor(predicate: (messages: ReceivedMail[]) => boolean, timeoutMs = 30_000): Promise<void> {
    const start = Date.now();
    while (!predicate(this.messages)) {
      if (Date.now() - start > timeoutMs) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for mail; received: ${JSON.stringify(this.messages.map((m) => m.subject))}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A sink whose first message stalls after its DATA has arrived, before the server's 250: a send caught in flight. */
export interface StallingSink {
  sink: SmtpSink;
  /** Resolves once the first message is held. */
  stalled: Promise<void>;
  /** Lets the held message be answered (a no-op once called). */
  release(): void;
}

export async function startStallingSink(): Promise<StallingSink> {
  let announceStall!: () => void;
  const stalled = new Promise<void>((resolve) => (announceStall = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const sink = await SmtpSink.start({
    beforeAccept: async (n) => {
      if (n !== 1) return;
      announceStall();
      await released;
    },
  });
  return { sink, stalled, release };
}
