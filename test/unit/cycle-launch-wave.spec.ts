/**
 * Which step instances a wave of the launch issues at once (apps/api/cycles/launch-wave.ts), on plans that exercise
 * the rules the workflows follow: the ministry's and institute's stages that do not wait for the list open at
 * launch; a track's stage opens when no earlier stage has steps for it; a step opening later, a date to be set and
 * the partner schools are not part of the launch; monitoring counts per period open by the wave's start.
 */
import type { CycleParticipant } from '../../libs/contracts/cycle';
import type { ResolvedCyclePlan, ResolvedStage, ResolvedStep } from '../../libs/contracts/cycle-template';
import { launchWave } from '../../apps/api/cycles/launch-wave';

const ZONE = 'Europe/Moscow';
const LAUNCH = Date.parse('2026-09-01T09:00:00+03:00');
const APPROVED = Date.parse('2026-09-20T09:00:00+03:00');
const policy = { reminders: [], escalations: [] };

function step(partial: Partial<ResolvedStep> & Pick<ResolvedStep, 'key' | 'stageId' | 'kind' | 'actor'>): ResolvedStep {
  return { stepId: partial.key, title: partial.key, dueLocal: '2026-12-15T18:00:00', policy, ...partial };
}

function stage(id: string, dependsOn: string[], steps: Omit<Parameters<typeof step>[0], 'stageId'>[]): ResolvedStage {
  return { id, title: id, dependsOn, steps: steps.map((s) => step({ ...s, stageId: id })) };
}

function plan(stages: ResolvedStage[]): ResolvedCyclePlan {
  return { templateId: 't', templateVersion: 1, title: 't', timeZone: ZONE, academicYear: 2026, calendar: 'working-days', forms: {}, stages };
}

const parties = { ministryId: 'min', instituteId: 'iro' };
const participants: CycleParticipant[] = [
  { schoolId: 's1', municipalityId: 'm1' },
  { schoolId: 's2', municipalityId: 'm1' },
  { schoolId: 's3', municipalityId: 'm2' },
];
const summary = (wave: ReturnType<typeof launchWave>) =>
  wave.instances.map((i) => `${i.stepKey}${i.periodId ? `@${i.periodId}` : ''}:${[...i.organizationIds].sort().join(',')}`).sort();

const roadmap = plan([
  stage('setup', [], [
    { key: 'agreement', kind: 'task', actor: 'ministry' },
    { key: 'later-setup', kind: 'task', actor: 'institute', opensAt: '2026-10-01T09:00:00' },
    { key: 'set-later', kind: 'task', actor: 'ministry', deadlineSetLater: 'по специальному графику' },
  ]),
  stage('identification', [], [
    { key: 'analysis', kind: 'task', actor: 'institute' },
    { key: 'list', kind: 'identification', actor: 'ministry' },
  ]),
  stage('plans', ['identification'], [
    { key: 'programme', kind: 'submission', actor: 'school' },
    { key: 'plan', kind: 'submission', actor: 'municipality' },
  ]),
  stage('order', ['plans'], [{ key: 'order', kind: 'task', actor: 'ministry' }]),
  stage('partners', ['order'], [
    { key: 'pairs', kind: 'partnership', actor: 'municipality' },
    { key: 'partner-visit', kind: 'task', actor: 'partner_school' },
  ]),
  stage('monitoring', ['identification'], [
    {
      key: 'report',
      kind: 'monitoring',
      actor: 'school',
      periods: [
        { id: 'q1', title: 'I', opensAt: '2026-09-10T09:00:00', dueLocal: '2026-10-01T18:00:00' },
        { id: 'q2', title: 'II', opensAt: '2026-12-01T09:00:00', dueLocal: '2027-01-15T18:00:00' },
      ],
    },
  ]),
]);

describe('the launch wave', () => {
  it('at launch: the identification steps beside the list, and the regional stages that do not wait for it', () => {
    const wave = launchWave(roadmap, parties, { launchedAtMs: LAUNCH });
    expect(wave).toMatchObject({ phase: 'launch', startedAtMs: LAUNCH });
    // Not the institute's step that opens in October, nor the step whose date the ministry sets later.
    expect(summary(wave)).toEqual(['agreement:min', 'analysis:iro', 'list:min']);
  });

  it('without an institute, its steps go to the ministry', () => {
    expect(summary(launchWave(roadmap, { ministryId: 'min' }, { launchedAtMs: LAUNCH }))).toEqual(['agreement:min', 'analysis:min', 'list:min']);
  });

  it('after the list: every track’s opening stages, the regional stage the list unblocked, open periods only', () => {
    const wave = launchWave(roadmap, parties, { launchedAtMs: LAUNCH, listApprovedAtMs: APPROVED }, participants);
    expect(wave).toMatchObject({ phase: 'participants', startedAtMs: APPROVED });
    expect(summary(wave)).toEqual([
      // The ministry's order: «plans» has none of the ministry's steps, so nothing holds it back in its track.
      'order:min',
      'plan:m1,m2',
      'programme:s1,s2,s3',
      // The first period is open by the approval; the second opens in December, later than the launch.
      'report@q1:s1,s2,s3',
    ]);
  });

  it('a stage behind one of the track’s own stages waits for that work and is not part of the launch', () => {
    const wave = launchWave(roadmap, parties, { launchedAtMs: LAUNCH, listApprovedAtMs: APPROVED }, participants);
    expect(wave.instances.some((i) => i.stepKey === 'pairs' || i.stepKey === 'partner-visit')).toBe(false);
  });
});
