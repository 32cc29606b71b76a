/**
 * `npm run template:check -- <file.yaml|file.json> [academic year]`: checks a region's template before it is
 * published, with no stack running. Prints every problem with its path and line, or, for a valid template, the
 * whole schedule for a sample region of two municipalities with two participant schools each (every deadline after
 * the move off non-working days, with its reminders and escalations). Exits 1 when the template has problems.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { datesToBeSet, dryRun, programmeFirstYear, programmeYearKind, programmeYearRu, resolveCyclePlan } from '../../libs/domain/cycle-template';
import { formatLocal } from '../../libs/domain/deadline';
import { parseTemplate } from '../../libs/templates';

function main(): number {
  const [file, yearArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: npm run template:check -- <template.yaml|template.json> [year: academic, e.g. 2026, or calendar]\n');
    return 2;
  }
  const text = readFileSync(path.resolve(file), 'utf8');
  const { template, problems } = parseTemplate(text, /\.json$/i.test(file) ? 'json' : 'yaml');
  if (!template) {
    process.stdout.write(`${file}: ${problems.length} problem(s)\n`);
    for (const p of problems) {
      const where = p.line ? ` (line ${p.line}${p.column ? `, column ${p.column}` : ''})` : '';
      process.stdout.write(`  ${p.path || '/'}${where}: ${p.message}\n`);
    }
    return 1;
  }
  const academicYear = yearArg ? Number(yearArg) : programmeFirstYear(template);
  const plan = resolveCyclePlan(template, { academicYear });
  const region = {
    ministryId: 'ministry',
    instituteId: 'institute',
    municipalities: ['municipality-1', 'municipality-2'],
    schools: [
      { id: 'school-1a', municipalityId: 'municipality-1' },
      { id: 'school-1b', municipalityId: 'municipality-1' },
      { id: 'school-2a', municipalityId: 'municipality-2' },
      { id: 'school-2b', municipalityId: 'municipality-2' },
    ],
  };
  const rows = dryRun(plan, region, new Date(0));
  process.stdout.write(`${file}: valid — «${template.title}» v${template.version}, ${programmeYearRu(programmeYearKind(template), academicYear, 'nominative')}, ${plan.timeZone}\n`);
  process.stdout.write(`${rows.length} tasks for a sample region (2 municipalities × 2 schools):\n`);
  for (const r of rows) {
    const moved =
      (r.movedFromNonWorkingDay ? ' (moved off a non-working day)' : '') +
      (r.plannedDueLocal ? ` (issued late: planned ${r.plannedDueLocal.slice(0, 16).replace('T', ' ')})` : '');
    const reminders = r.reminders.map((at) => formatLocal(at, plan.timeZone)).join(', ') || '—';
    const escalations = r.escalations.map((e) => `${formatLocal(e.at, plan.timeZone)} → ${e.notify} (${e.organizationId})`).join(', ') || '—';
    process.stdout.write(
      `  ${formatLocal(r.dueAt, plan.timeZone)}${moved}  ${r.organizationId}  ${r.title}\n` +
        `      reminders: ${reminders}; escalations: ${escalations}${r.legalBasis ? `\n      basis: ${r.legalBasis}` : ''}\n`,
    );
  }
  for (const d of datesToBeSet(plan, region)) {
    process.stdout.write(`  ${d.text} (${d.wording})  ${d.organizationId}  ${d.title}\n`);
  }
  return 0;
}

process.exitCode = main();
