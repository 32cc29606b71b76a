import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Curators of participant schools («кураторы»): the ministry names, for a school of a cycle, a person of the
 * region's institute or of another school of the region. Removal is soft (removed_at, by whom, why), so the record
 * of who curated whom stays for auditors; at most one active curatorship per cycle, school and person.
 */
export class Curatorships1764000350000 implements MigrationInterface {
  name = 'Curatorships1764000350000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE curatorships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        school_id varchar(64) NOT NULL REFERENCES organizations(id),
        curator_person_id uuid NOT NULL REFERENCES people(id),
        curator_organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        basis varchar(1000) NOT NULL CHECK (length(btrim(basis)) > 0),
        named_by varchar(254) NOT NULL,
        named_at timestamptz NOT NULL DEFAULT now(),
        removed_at timestamptz,
        removed_by varchar(254),
        removal_reason varchar(1000),
        CHECK (curator_organization_id <> school_id),
        CHECK ((removed_at IS NULL AND removed_by IS NULL AND removal_reason IS NULL)
            OR (removed_at IS NOT NULL AND removed_by IS NOT NULL AND removal_reason IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX curatorships_active ON curatorships (cycle_id, school_id, curator_person_id) WHERE removed_at IS NULL`,
    );
    await q.query(`CREATE INDEX curatorships_curator ON curatorships (curator_person_id) WHERE removed_at IS NULL`);
    await q.query(`CREATE INDEX curatorships_cycle ON curatorships (cycle_id, school_id, named_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE curatorships`);
  }
}
