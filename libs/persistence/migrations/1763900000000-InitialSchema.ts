import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE organizations (
        id varchar(64) PRIMARY KEY,
        kind varchar(20) NOT NULL CHECK (kind IN ('ministry', 'institute', 'municipality', 'school')),
        name varchar(300) NOT NULL,
        region_code varchar(20) NOT NULL,
        time_zone varchar(64) NOT NULL,
        parent_id varchar(64) REFERENCES organizations(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX organizations_region_kind ON organizations (region_code, kind)`);
    await q.query(`
      CREATE TABLE people (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        full_name varchar(200) NOT NULL,
        email varchar(254) NOT NULL,
        position varchar(200) NOT NULL DEFAULT '',
        is_head boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX people_organization_email ON people (organization_id, lower(email))`);
    await q.query(`
      CREATE TABLE tasks (
        id varchar(120) PRIMARY KEY,
        workflow_id varchar(200) NOT NULL UNIQUE,
        title varchar(300) NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
        assignee_organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        supervisor_organization_id varchar(64) NOT NULL REFERENCES organizations(id),
        due_at timestamptz NOT NULL,
        time_zone varchar(64) NOT NULL,
        created_at timestamptz NOT NULL,
        closed_at timestamptz,
        version integer NOT NULL,
        snapshot jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX tasks_inbox ON tasks (assignee_organization_id, status, due_at)`);
    await q.query(`CREATE INDEX tasks_status_due ON tasks (status, due_at)`);
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        subject_type varchar(40) NOT NULL,
        subject_id varchar(200) NOT NULL,
        seq integer NOT NULL,
        type varchar(60) NOT NULL,
        actor varchar(200) NOT NULL,
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subject_type, subject_id, seq)
      )`);
    // The audit log is append-only: the database itself refuses edits, not just the application.
    await q.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
    await q.query(`
      CREATE TABLE notifications (
        id bigserial PRIMARY KEY,
        task_id varchar(120) NOT NULL REFERENCES tasks(id),
        step_key varchar(80) NOT NULL,
        kind varchar(20) NOT NULL,
        target varchar(30) NOT NULL,
        message_id varchar(300) NOT NULL UNIQUE,
        recipients jsonb NOT NULL,
        subject varchar(500) NOT NULL,
        body_text text NOT NULL,
        body_html text NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('pending', 'sent', 'no_recipients')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        UNIQUE (task_id, step_key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TRIGGER audit_events_no_update_delete ON audit_events`);
    await q.query(`DROP FUNCTION audit_events_append_only`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE tasks`);
    await q.query(`DROP TABLE people`);
    await q.query(`DROP TABLE organizations`);
  }
}
