/** Russian words for an agreement's state and parties. */
import type { Schemas } from '../../api/client';

export type Agreement = Schemas['AgreementView'];
export type AgreementState = Agreement['status'];
export type Party = 'school' | 'partner' | 'municipality';

export const AGREEMENT_STATES: Record<AgreementState, { text: string; color: string }> = {
  proposed: { text: 'предложено', color: 'blue' },
  signed: { text: 'подписано', color: 'green' },
  cancelled: { text: 'отменено', color: 'default' },
};

export const STATE_ORDER: AgreementState[] = ['proposed', 'signed', 'cancelled'];

export const PARTIES: { key: Party; title: string }[] = [
  { key: 'school', title: 'Школа-участник' },
  { key: 'partner', title: 'Школа-партнёр' },
  { key: 'municipality', title: 'Муниципалитет' },
];

export function isAgreementState(value: string | null): value is AgreementState {
  return value !== null && value in AGREEMENT_STATES;
}
