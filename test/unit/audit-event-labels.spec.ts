import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_EVENT_LABELS, auditEventLabel } from '../../libs/audit/audit-event-labels';

const ROOT = join(__dirname, '..', '..');
const SOURCE_DIRS = ['apps', 'libs', 'activities', 'workflows'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The string members of `export type <name> = 'a' | 'b' | …;`. */
function unionMembers(source: string, name: string): string[] {
  const declaration = new RegExp(`export type ${name} =([^;]+);`).exec(source);
  if (!declaration) throw new Error(`type ${name} not found`);
  return [...declaration[1].matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
}

const contracts = readFileSync(join(ROOT, 'libs/contracts/deadline-task.ts'), 'utf8');

/** auditType template literals and the codes each stands for; a new one fails the test until listed here. */
const DYNAMIC_AUDIT_TYPES: Record<string, string[]> = {
  'review_${dto.decision}': unionMembers(contracts, 'ReviewDecision').map((decision) => `review_${decision}`),
};

/**
 * Every audit event type the sources write, as the writers spell them:
 * - the task workflow's events (TaskEventType), projected by the task repository;
 * - `auditType: '…'` returned to CycleTaskService.completeWith (and its template literals, above);
 * - `record('…', …)` in the cycle workflow, appended by the recordCycleEvent activity;
 * - constants named `…_EVENT` / `…_EVENTS` (a string, or an object of strings);
 * - `type: '…'` inside an `.append(…)` call on the audit log;
 * - `type: '…'` beside a `subjectType` (an audit entry handed to a repository that appends it in its transaction).
 */
function writtenAuditTypes(): { types: Set<string>; unresolved: string[] } {
  const types = new Set<string>(unionMembers(contracts, 'TaskEventType'));
  const unresolved: string[] = [];
  for (const file of SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)))) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\bauditType:\s*'([a-z_]+)'/g)) types.add(m[1]);
    for (const m of source.matchAll(/\bauditType:\s*`([^`]*)`/g)) {
      const expansion = DYNAMIC_AUDIT_TYPES[m[1]];
      if (expansion) expansion.forEach((type) => types.add(type));
      else unresolved.push(`${file}: auditType \`${m[1]}\``);
    }
    for (const m of source.matchAll(/\brecord\(\s*'([a-z_]+)'/g)) types.add(m[1]);
    for (const m of source.matchAll(/\b[A-Z][A-Z_]*_EVENTS?\s*=\s*('[a-z_]+'|\{[^}]*\})/g)) {
      for (const literal of m[1].matchAll(/'([a-z_]+)'/g)) types.add(literal[1]);
    }
    for (const m of source.matchAll(/\bsubjectType:[^;]{0,200}?\btype:\s*'([a-z_]+)'/g)) types.add(m[1]);
    for (const m of source.matchAll(/\.append\(/g)) {
      const call = source.slice(m.index, m.index + 800).split(/\.append\(/)[1];
      const literal = /\btype:\s*'([a-z_]+)'/.exec(call);
      if (literal) types.add(literal[1]);
    }
  }
  return { types, unresolved };
}

describe('audit event labels', () => {
  const { types, unresolved } = writtenAuditTypes();

  it('finds the types of every kind of writer (so that a broken scan cannot pass empty)', () => {
    expect([...types]).toEqual(
      expect.arrayContaining([
        'created',
        'escalation_sent',
        'review_returned',
        'submission_made',
        'cycle_launched',
        'participants_approved',
        'access_denied',
        'extension_granted',
        'document_uploaded',
        'substitution_revoked',
        'identification_file_imported',
      ]),
    );
    expect(unresolved).toEqual([]);
  });

  it('has a Russian label for every audit event type the code base writes', () => {
    const missing = [...types].filter((type) => !Object.hasOwn(AUDIT_EVENT_LABELS, type)).sort();
    expect(missing).toEqual([]);
    for (const type of types) expect(auditEventLabel(type)).toMatch(/^[А-ЯЁ][А-ЯЁа-яё «»,-]+$/);
  });

  it('falls back to the code for a type it does not know', () => {
    expect(auditEventLabel('written_by_a_newer_version')).toBe('written_by_a_newer_version');
    expect(auditEventLabel('toString')).toBe('toString');
  });
});
