import type { DataSource } from 'typeorm';

/** The database's liveness as the health endpoint reports it: a round trip through the pool. */
export class DatabaseProbeRepository {
  constructor(private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
