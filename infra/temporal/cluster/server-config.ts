/**
 * The Temporal server's static configuration for one node running all four services (frontend, history, matching,
 * worker) on PostgreSQL, shaped as the server's own config/development-postgres12.yaml. A production cluster runs
 * the services as separate processes on several hosts; their configuration differs only in addresses and ports.
 */
import { stringify } from 'yaml';
import { SHARED_DYNAMIC_CONFIG } from '../dynamic-config';
import type { PostgresConnection, TemporalDatabases } from './schema';

export interface ServerConfigOptions {
  connection: PostgresConnection;
  databases: TemporalDatabases;
  /** The frontend's gRPC port, where workers and clients connect; the other services take the next seven ports. */
  frontendPort: number;
  /**
   * Fixed for the life of the persistence database: the server refuses to start on a store set up with another
   * count. 4 is enough for one node on two cores; production clusters use 512 or more.
   */
  numHistoryShards: number;
  /** Absolute path of the dynamic config file (dynamicConfigYaml). */
  dynamicConfigFile: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

const HOST = '127.0.0.1';
const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;

/** Every port the node listens on: a gRPC and a membership port per service. */
export function serverPorts(frontendPort: number): Record<(typeof SERVICES)[number], { grpcPort: number; membershipPort: number }> {
  return Object.fromEntries(
    SERVICES.map((service, i) => [service, { grpcPort: frontendPort + 2 * i, membershipPort: frontendPort + 2 * i + 1 }]),
  ) as Record<(typeof SERVICES)[number], { grpcPort: number; membershipPort: number }>;
}

export function serverConfigYaml(opts: ServerConfigOptions): string {
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${opts.connection.host}:${opts.connection.port}`,
      connectProtocol: 'tcp',
      user: opts.connection.user,
      password: opts.connection.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const ports = serverPorts(opts.frontendPort);
  const config = {
    log: { stdout: true, level: opts.logLevel ?? 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: opts.numHistoryShards,
      datastores: {
        'postgres-default': datastore(opts.databases.temporal, 20),
        'postgres-visibility': datastore(opts.databases.visibility, 4),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: HOST },
      // Port 0 keeps the profiler off; no metrics section means no Prometheus listener either.
      pprof: { port: 0 },
    },
    services: Object.fromEntries(
      // No httpPort: the HTTP API stays off, as the project talks gRPC only.
      SERVICES.map((service) => [service, { rpc: { ...ports[service], bindOnLocalHost: true } }]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${HOST}:${opts.frontendPort}` },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: opts.dynamicConfigFile, pollInterval: '10s' },
  };
  return stringify(config);
}

/**
 * Dynamic config (values the server rereads while running). The search attributes are registered a moment before
 * the workers start tasks that set them; reading them through on each use, as the dev server does, spares a wait
 * of up to a minute for the cache to see them.
 */
export function dynamicConfigYaml(): string {
  return stringify({
    'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true, constraints: {} }],
    ...Object.fromEntries(Object.entries(SHARED_DYNAMIC_CONFIG).map(([key, value]) => [key, [{ value, constraints: {} }]])),
  });
}
