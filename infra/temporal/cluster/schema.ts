/**
 * The Temporal server's two PostgreSQL databases (persistence and visibility), created and brought to the schema of
 * the server version with temporal-sql-tool, as Temporal documents for a self-hosted cluster. Safe on every start:
 * a database that exists is kept, a schema already set up is only updated (update-schema is a no-op when current).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type { LogFn } from '../../support/process';
import type { PostgresSchemaDirs } from './temporal-server';

const execFileAsync = promisify(execFile);

export interface PostgresConnection {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface TemporalDatabases {
  /** The persistence store (histories, mutable state, task queues). */
  temporal: string;
  /** The visibility store (workflow lists, search attributes). */
  visibility: string;
}

export const DEFAULT_TEMPORAL_DATABASES: TemporalDatabases = { temporal: 'temporal', visibility: 'temporal_visibility' };

/** The server and connection parts of a postgres:// URL (its database is not used: the tool names its own). */
export function postgresConnectionFromUrl(url: string): PostgresConnection {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`expected a postgres:// URL for the Temporal cluster's PostgreSQL, got ${parsed.protocol}//…`);
  }
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? 5432 : Number(parsed.port),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
}

export interface SchemaSetupOptions {
  sqlTool: string;
  connection: PostgresConnection;
  databases: TemporalDatabases;
  schemaDirs: PostgresSchemaDirs;
  log: LogFn;
}

export async function setUpTemporalSchemas(opts: SchemaSetupOptions): Promise<void> {
  // One after the other: each is a few hundred statements, and the machine has two cores.
  await setUpOne(opts, opts.databases.temporal, opts.schemaDirs.temporal);
  await setUpOne(opts, opts.databases.visibility, opts.schemaDirs.visibility);
}

async function setUpOne(opts: SchemaSetupOptions, database: string, versionedDir: string): Promise<void> {
  const { connection, log } = opts;
  const state = await schemaState(connection, database);
  if (state === 'no-database') {
    log(`creating database ${database}`);
    await runSqlTool(opts, database, ['create-database']);
  }
  if (state !== 'schema-set-up') {
    // Version 0.0 writes the bookkeeping tables only; update-schema then applies every versioned step.
    await runSqlTool(opts, database, ['setup-schema', '--version', '0.0']);
  }
  await runSqlTool(opts, database, ['update-schema', '--schema-dir', versionedDir]);
  log(`database ${database} at schema version ${await schemaVersion(connection, database)}`);
}

async function runSqlTool(opts: SchemaSetupOptions, database: string, command: string[]): Promise<void> {
  const { connection } = opts;
  const args = [
    '--plugin', 'postgres12',
    '--endpoint', connection.host,
    '--port', String(connection.port),
    '--user', connection.user,
    '--password', connection.password,
    '--database', database,
    ...command,
  ];
  try {
    await execFileAsync(opts.sqlTool, args, { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    const output = `${stdout ?? ''}${stderr ?? ''}`.split('\n').slice(-30).join('\n');
    throw new Error(`temporal-sql-tool ${command[0]} on database ${database} failed:\n${output}`);
  }
}

async function schemaState(connection: PostgresConnection, database: string): Promise<'no-database' | 'no-schema' | 'schema-set-up'> {
  const admin = new Client({ ...connection, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) return 'no-database';
  } finally {
    await admin.end();
  }
  const client = new Client({ ...connection, database });
  await client.connect();
  try {
    const { rows } = await client.query<{ present: boolean }>(`SELECT to_regclass('public.schema_version') IS NOT NULL AS present`);
    return rows[0].present ? 'schema-set-up' : 'no-schema';
  } finally {
    await client.end();
  }
}

async function schemaVersion(connection: PostgresConnection, database: string): Promise<string> {
  const client = new Client({ ...connection, database });
  await client.connect();
  try {
    const { rows } = await client.query<{ curr_version: string }>('SELECT curr_version FROM schema_version');
    return rows[0]?.curr_version ?? 'unknown';
  } finally {
    await client.end();
  }
}
