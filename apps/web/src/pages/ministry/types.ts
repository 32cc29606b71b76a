/**
 * The API's shapes the ministry screens use, taken from the generated `paths` (schema.d.ts) by path and method, so
 * a changed endpoint breaks the build here rather than the page. Nothing is written by hand.
 */
import type { paths } from '../../api/schema';

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : never
  : never;
type BodyOf<O> = O extends { requestBody?: infer B } ? JsonOf<NonNullable<B>> : never;

/** The JSON an endpoint answers with on success (200, or 201 for a creation). */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = SuccessOf<paths[P][M]>;
/** The JSON body an endpoint takes. */
export type RequestOf<P extends keyof paths, M extends keyof paths[P]> = BodyOf<paths[P][M]>;

type ItemOf<T> = T extends readonly (infer I)[] ? I : never;

export type CycleView = ResponseOf<'/api/cycles/{id}', 'get'>;
export type CycleProgress = NonNullable<CycleView['progress']>;
export type StageProgress = ItemOf<CycleProgress['stages']>;
export type StepDateToSet = ItemOf<NonNullable<CycleProgress['datesToSet']>>;
export type TemplateSummary = ItemOf<ResponseOf<'/api/templates', 'get'>>;
export type TemplateDetail = ResponseOf<'/api/templates/{id}', 'get'>;
export type TemplateValidation = ResponseOf<'/api/templates/validate', 'post'>;
export type TemplateProblem = ItemOf<TemplateValidation['problems']>;
export type DryRunView = ResponseOf<'/api/templates/{id}/dry-run', 'post'>;
export type DryRunTask = ItemOf<DryRunView['tasks']>;
export type DryRunDateToSet = ItemOf<DryRunView['datesToSet']>;
export type LaunchRequest = RequestOf<'/api/cycles', 'post'>;
export type TaskView = ItemOf<ResponseOf<'/api/tasks', 'get'>['items']>;
export type OrganizationView = ItemOf<ResponseOf<'/api/organizations', 'get'>>;
export type DynamicsView = ResponseOf<'/api/cycles/{cycleId}/monitoring/dynamics', 'get'>;
