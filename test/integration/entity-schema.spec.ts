import { DataSource } from 'typeorm';
import { dataSourceOptions, ENTITIES } from '../../libs/persistence';
import { requireTestEnv } from '../support/test-config';

/**
 * Migrations are the only schema path and entities describe what they built: every entity's table and columns exist
 * with the type, length, array-ness and nullability the entity declares, and every column of those tables has a
 * property (none is left to hand-written SQL alone).
 */
let dataSource: DataSource;

interface DbColumn {
  column_name: string;
  data_type: string;
  udt_name: string;
  character_maximum_length: number | null;
  is_nullable: 'YES' | 'NO';
}

beforeAll(async () => {
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
});

afterAll(async () => {
  await dataSource?.destroy();
});

describe('entities against the migrated schema', () => {
  const tables = () => dataSource.entityMetadatas.map((m) => m.tableName).sort();

  it('maps every entity listed for the data source', () => {
    expect(dataSource.entityMetadatas).toHaveLength(ENTITIES.length);
  });

  it.each(ENTITIES.map((entity) => [entity.name, entity] as const))('%s matches its table column by column', async (_name, entity) => {
    const metadata = dataSource.getMetadata(entity);
    const rows: DbColumn[] = await dataSource.query(
      `SELECT column_name, data_type, udt_name, character_maximum_length, is_nullable
         FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
      [metadata.tableName],
    );
    expect(rows.length).toBeGreaterThan(0);
    const db = new Map(rows.map((r) => [r.column_name, r]));
    const problems: string[] = [];
    for (const column of metadata.columns) {
      const actual = db.get(column.databaseName);
      if (!actual) {
        problems.push(`${column.databaseName}: no such column`);
        continue;
      }
      const declared = dataSource.driver.normalizeType(column);
      if (column.isArray) {
        if (actual.data_type !== 'ARRAY' || actual.udt_name !== `_${declared === 'character varying' ? 'varchar' : declared}`) {
          problems.push(`${column.databaseName}: declared ${declared}[], is ${actual.data_type} (${actual.udt_name})`);
        }
      } else if (declared !== actual.data_type) {
        problems.push(`${column.databaseName}: declared ${declared}, is ${actual.data_type}`);
      }
      const length = column.length ? Number(column.length) : null;
      if (length !== null && length !== actual.character_maximum_length) {
        problems.push(`${column.databaseName}: declared length ${length}, is ${actual.character_maximum_length}`);
      }
      // Primary keys are NOT NULL whatever the decorator says; a generated column (never written) is whatever
      // PostgreSQL infers from its expression.
      const nullable = actual.is_nullable === 'YES';
      const generated = !column.isInsert && !column.isUpdate;
      if (!column.isPrimary && !generated && column.isNullable !== nullable) {
        problems.push(`${column.databaseName}: declared ${column.isNullable ? 'nullable' : 'NOT NULL'}, is ${nullable ? 'nullable' : 'NOT NULL'}`);
      }
    }
    const mapped = new Set(metadata.columns.map((c) => c.databaseName));
    for (const name of db.keys()) if (!mapped.has(name)) problems.push(`${name}: in the table, not in the entity`);
    expect(problems).toEqual([]);
  });

  it('covers every table the migrations created', async () => {
    const rows: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(tables());
  });
});
