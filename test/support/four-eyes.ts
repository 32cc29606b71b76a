/**
 * Four eyes in tests: launching, cancelling a cycle and overriding a deadline for everyone answer 202 with a request
 * that runs only when a second person of the ministry confirms it. `confirmedBy` confirms such a request as `confirmer`
 * (the test region's `reviewer`, when the `admin` asked) and answers like the direct call used to: the confirmation's
 * status with the cycle as body. An answer other than 202 (a refusal before any request, or a step date set at once)
 * is passed through unchanged.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are JSON the tests pick apart */
import type { ApiClient, ApiResponse } from './http';

export async function confirmedBy(confirmer: ApiClient, requested: ApiResponse | Promise<ApiResponse>): Promise<ApiResponse> {
  const request = await requested;
  if (request.status !== 202) return request;
  const id = (request.body as { id?: string } | undefined)?.id;
  if (!id) throw new Error(`a 202 without a request id: ${request.text.slice(0, 500)}`);
  const confirmation = await confirmer.post(`/api/cycle-actions/${encodeURIComponent(id)}/confirm`);
  if (confirmation.status !== 200) return confirmation;
  return { ...confirmation, body: (confirmation.body as { cycle?: unknown }).cycle as any };
}
