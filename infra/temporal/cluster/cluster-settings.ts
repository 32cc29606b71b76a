/** The cluster's settings from the environment, shared by `npm run temporal:server` and `npm run start:cluster`. */
import type { TemporalClusterOptions } from './temporal-cluster';

export type ClusterSettings = Pick<TemporalClusterOptions, 'frontendPort' | 'postgres' | 'numHistoryShards'>;

/**
 * TEMPORAL_PORT: the frontend (default 7233, the dev server's; the node also takes the next seven ports).
 * TEMPORAL_POSTGRES_URL: an external PostgreSQL whose user may create databases; otherwise an embedded one, kept in
 * .data/temporal-cluster/postgres, on TEMPORAL_POSTGRES_PORT (default 5434: 5433 is the app's embedded database).
 * TEMPORAL_HISTORY_SHARDS: default 4; fixed once the database is set up (wipe .data/temporal-cluster to change it).
 */
export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv): ClusterSettings {
  const integer = (name: string, fallback: number, max: number): number => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed <= 0 || parsed > max) throw new Error(`${name} must be a whole number from 1 to ${max}, got '${value}'`);
    return parsed;
  };
  const url = env.TEMPORAL_POSTGRES_URL;
  return {
    // The node listens on the frontend port and the seven after it.
    frontendPort: integer('TEMPORAL_PORT', 7233, 65535 - 7),
    postgres: url ? { url } : { embeddedPort: integer('TEMPORAL_POSTGRES_PORT', 5434, 65535), persistent: true },
    numHistoryShards: integer('TEMPORAL_HISTORY_SHARDS', 4, 16384),
  };
}
