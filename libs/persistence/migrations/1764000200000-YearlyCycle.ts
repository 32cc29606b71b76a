import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The yearly cycle: template versions, cycles and their participants, identification imports, submissions with
 * their versions and remarks, stored documents, partner agreements, the bank of best practices and extension
 * requests. Business keys stay readable (cycle 'demo-2026'); rows that users create get UUIDs.
 */
export class YearlyCycle1764000200000 implements MigrationInterface {
  name = 'YearlyCycle1764000200000';

  async up(q: QueryRunner): Promise<void> {
    // School codes as officials keep them (leading zeros matter) and which municipalities border each other.
    await q.query(`ALTER TABLE organizations ADD COLUMN code varchar(32)`);
    await q.query(`ALTER TABLE organizations ADD COLUMN neighbour_ids text[] NOT NULL DEFAULT '{}'`);
    await q.query(`CREATE UNIQUE INDEX organizations_region_code ON organizations (region_code, code) WHERE code IS NOT NULL`);

    await q.query(`
      CREATE TABLE cycle_templates (
        id varchar(100) NOT NULL,
        version integer NOT NULL,
        title varchar(500) NOT NULL,
        source_format varchar(10) NOT NULL CHECK (source_format IN ('yaml', 'json')),
        source_text text NOT NULL,
        document jsonb NOT NULL,
        sha256 char(64) NOT NULL,
        builtin boolean NOT NULL DEFAULT false,
        -- The region whose ministry published it; NULL for the shipped roadmaps every region may launch.
        owner_region_code varchar(20),
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id, version)
      )`);

    await q.query(`
      CREATE TABLE cycles (
        id varchar(100) PRIMARY KEY,
        region_code varchar(20) NOT NULL,
        academic_year integer NOT NULL,
        template_id varchar(100) NOT NULL,
        template_version integer NOT NULL,
        workflow_id varchar(200) NOT NULL UNIQUE,
        ministry_id varchar(64) NOT NULL REFERENCES organizations(id),
        status varchar(20) NOT NULL,
        plan jsonb NOT NULL,
        progress jsonb,
        launched_by varchar(200) NOT NULL,
        launched_at timestamptz NOT NULL DEFAULT now(),
        list_approved_at timestamptz,
        closed_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (region_code, academic_year),
        FOREIGN KEY (template_id, template_version) REFERENCES cycle_templates(id, version)
      )`);

    await q.query(`
      CREATE TABLE identification_imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        kind varchar(20) NOT NULL CHECK (kind IN ('results', 'social')),
        file_name varchar(300) NOT NULL,
        sha256 char(64) NOT NULL,
        row_count integer NOT NULL,
        rows jsonb NOT NULL,
        imported_by varchar(200) NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX identification_imports_cycle ON identification_imports (cycle_id, kind, imported_at DESC)`);

    await q.query(`
      CREATE TABLE cycle_participants (
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        school_id varchar(64) NOT NULL REFERENCES organizations(id),
        municipality_id varchar(64) NOT NULL REFERENCES organizations(id),
        category varchar(20),
        rank integer,
        reasons jsonb NOT NULL DEFAULT '[]',
        included boolean NOT NULL,
        manual_reason text,
        decided_by varchar(200) NOT NULL,
        decided_at timestamptz NOT NULL DEFAULT now(),
        outcome varchar(20) CHECK (outcome IN ('continues', 'leaves', 'internship_site')),
        outcome_reason text,
        outcome_by varchar(200),
        outcome_at timestamptz,
        PRIMARY KEY (cycle_id, school_id)
      )`);

    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        file_name varchar(300) NOT NULL,
        content_type varchar(200) NOT NULL,
        size_bytes integer NOT NULL,
        sha256 char(64) NOT NULL,
        content bytea NOT NULL,
        uploaded_by varchar(200) NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE submissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        task_id varchar(120) NOT NULL,
        stage_id varchar(100) NOT NULL,
        step_key varchar(120) NOT NULL,
        action varchar(40) NOT NULL,
        organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        subject_organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        period_id varchar(40),
        round integer NOT NULL DEFAULT 1,
        version integer NOT NULL,
        document_id uuid REFERENCES documents(id),
        form jsonb,
        comment text,
        submitted_by varchar(200) NOT NULL,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (task_id)
      )`);
    await q.query(`CREATE INDEX submissions_subject ON submissions (cycle_id, step_key, subject_organization_id, version)`);

    await q.query(`
      CREATE TABLE remarks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        submission_id uuid NOT NULL REFERENCES submissions(id),
        step_key varchar(120) NOT NULL,
        subject_organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        text text NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('open', 'answered', 'accepted')),
        created_by varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        answer text,
        answered_by varchar(200),
        answered_at timestamptz,
        answered_in_submission_id uuid REFERENCES submissions(id),
        accepted_by varchar(200),
        accepted_at timestamptz
      )`);
    await q.query(`CREATE INDEX remarks_subject ON remarks (cycle_id, step_key, subject_organization_id)`);

    await q.query(`
      CREATE TABLE agreements (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        step_key varchar(120) NOT NULL,
        municipality_id varchar(64) NOT NULL REFERENCES organizations(id),
        school_id varchar(64) NOT NULL REFERENCES organizations(id),
        partner_school_id varchar(64) NOT NULL REFERENCES organizations(id),
        status varchar(20) NOT NULL CHECK (status IN ('proposed', 'signed', 'cancelled')),
        proposal_submission_id uuid REFERENCES submissions(id),
        proposed_by varchar(200) NOT NULL,
        proposed_at timestamptz NOT NULL DEFAULT now(),
        confirmations jsonb NOT NULL DEFAULT '{}',
        document_id uuid REFERENCES documents(id),
        signed_at timestamptz,
        UNIQUE (cycle_id, school_id, partner_school_id)
      )`);
    await q.query(`CREATE INDEX agreements_partner ON agreements (partner_school_id, status)`);

    // array_to_string is only STABLE, which a generated column refuses; joining words with a space cannot vary.
    await q.query(`
      CREATE FUNCTION uplift_words(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT array_to_string($1, ' ') $$`);
    await q.query(`
      CREATE TABLE best_practices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        cycle_id varchar(100) NOT NULL REFERENCES cycles(id),
        school_id varchar(64) NOT NULL REFERENCES organizations(id),
        submission_id uuid NOT NULL REFERENCES submissions(id),
        title varchar(500) NOT NULL,
        summary text NOT NULL,
        body text NOT NULL,
        keywords text[] NOT NULL DEFAULT '{}',
        improvement jsonb,
        status varchar(20) NOT NULL CHECK (status IN ('published', 'withdrawn')),
        published_by varchar(200) NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        search tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('russian', coalesce(title, '')), 'A') ||
          setweight(to_tsvector('russian', coalesce(summary, '') || ' ' || uplift_words(keywords)), 'B') ||
          setweight(to_tsvector('russian', coalesce(body, '')), 'C')
        ) STORED,
        UNIQUE (cycle_id, school_id, submission_id)
      )`);
    await q.query(`CREATE INDEX best_practices_search ON best_practices USING gin (search)`);

    await q.query(`
      CREATE TABLE extension_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        task_id varchar(120) NOT NULL,
        cycle_id varchar(100),
        organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        requested_by varchar(200) NOT NULL,
        reason text NOT NULL,
        proposed_local_date_time varchar(19) NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('pending', 'granted', 'refused')),
        decided_by varchar(200),
        decision_basis text,
        decided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One open request per task: the ministry answers it before another can be filed.
    await q.query(`CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests (task_id) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'extension_requests',
      'best_practices',
      'agreements',
      'remarks',
      'submissions',
      'documents',
      'cycle_participants',
      'identification_imports',
      'cycles',
      'cycle_templates',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS uplift_words(text[])`);
    await q.query(`DROP INDEX IF EXISTS organizations_region_code`);
    await q.query(`ALTER TABLE organizations DROP COLUMN IF EXISTS neighbour_ids`);
    await q.query(`ALTER TABLE organizations DROP COLUMN IF EXISTS code`);
  }
}
