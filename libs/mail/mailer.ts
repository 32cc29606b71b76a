import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  messageId: string;
  to: { name: string; address: string }[];
  subject: string;
  text: string;
  html: string;
}

export interface MailOutcome {
  /** Recipients the relay refused; the message went to every other one. */
  refused: string[];
}

/** nodemailer over SMTP. Timeouts are short so that a hung relay fails the activity attempt instead of blocking it. */
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 10_000,
    } as never);
  }

  /**
   * Sends the message; resolves with the addresses the relay refused while taking it for the others (nodemailer sends
   * to the accepted ones and rejects only when every recipient is refused).
   */
  async send(mail: OutgoingMail): Promise<MailOutcome> {
    const info = (await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
    })) as { rejected?: (string | { address: string })[] };
    return { refused: (info.rejected ?? []).map((r) => (typeof r === 'string' ? r : r.address)) };
  }

  /** Health check: opens an SMTP session and says EHLO, sends nothing. */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}
