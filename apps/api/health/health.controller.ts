import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Mailer } from '../../../libs/mail';
import { DatabaseProbeRepository } from '../../../libs/persistence';
import { Public } from '../auth/decorators';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { HealthView } from './health.dto';

type ComponentStatus = { status: 'up' } | { status: 'down'; error: string };

const CHECK_TIMEOUT_MS = 3000;

async function check(probe: () => Promise<unknown>): Promise<ComponentStatus> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: DatabaseProbeRepository,
    private readonly temporal: TemporalGateway,
    private readonly mailer: Mailer,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Status of each component: database, temporal, mail' })
  @ApiOkResponse({ type: HealthView, description: 'Every component is up' })
  @ApiResponse({ status: 503, type: HealthView, description: 'At least one component is down; `down` names it' })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthView> {
    const [database, temporal, mail] = await Promise.all([
      check(() => this.database.ping()),
      check(() => this.temporal.ping(CHECK_TIMEOUT_MS)),
      check(() => this.mailer.verify()),
    ]);
    const components = { database, temporal, mail };
    const down = Object.entries(components)
      .filter(([, c]) => c.status === 'down')
      .map(([name]) => name);
    reply.status(down.length ? 503 : 200);
    return { status: down.length ? 'down' : 'up', down, components };
  }
}
