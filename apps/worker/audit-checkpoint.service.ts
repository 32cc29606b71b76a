import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { writeCheckpoint } from '../../libs/audit/checkpoint-log';
import type { AppConfig } from '../../libs/config/config';
import { AuditLogRepository } from '../../libs/persistence';
import { InjectConfig } from '../../libs/platform';

/**
 * Signs the audit log's head into the checkpoint file every AUDIT_CHECKPOINT_INTERVAL (and once at start), so that
 * deleting the newest entries is found by the verifier. The worker does it because it is the always-on process and
 * the API need not hold write access to the checkpoint directory; `npm run audit:checkpoint` writes one on demand.
 * Each line also goes to the log: a second copy wherever the logs are shipped. Failures are logged and retried on the
 * next pass. Several workers may run it: lines are appended whole, and an unchanged head is not signed again.
 */
@Injectable()
export class AuditCheckpointService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoint');
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly auditLog: AuditLogRepository,
  ) {}

  onApplicationBootstrap(): void {
    const settings = this.config.audit;
    if (!settings || settings.checkpointIntervalMs === 0) {
      this.logger.log('audit checkpoints are off in this process (AUDIT_CHECKPOINT_INTERVAL=0 or not configured)');
      return;
    }
    this.logger.log(`signing the audit log's head into ${settings.checkpointDir} every ${settings.checkpointIntervalMs / 1000} s`);
    this.pass = this.runPass().finally(() => this.schedule());
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
  }

  private schedule(): void {
    if (this.stopped || !this.config.audit) return;
    this.timer = setTimeout(() => {
      this.pass = this.runPass().finally(() => this.schedule());
    }, this.config.audit.checkpointIntervalMs);
  }

  private async runPass(): Promise<void> {
    const settings = this.config.audit!;
    try {
      const result = await writeCheckpoint(this.auditLog, { dir: settings.checkpointDir, key: settings.checkpointKey });
      if (result.written) this.logger.log(`audit checkpoint ${result.line!.trimEnd()}`);
    } catch (error) {
      this.logger.warn(`audit checkpoint failed, retrying in ${settings.checkpointIntervalMs} ms: ${String(error)}`);
    }
  }
}
