/** Get a screening: its results and, once referred, each lead's delivery status (token). */
import type { ReferralStore, ReferralSummary, ScreeningRecord, ScreeningStore } from '#core/ports';

export interface GetScreeningPorts {
  screenings: ScreeningStore;
  referrals: ReferralStore;
}

export interface ScreeningWithReferral {
  screening: ScreeningRecord;
  referral?: ReferralSummary;
}

export function getScreening(ports: GetScreeningPorts) {
  /** @throws DomainError TOKEN_INVALID for a wrong token or an unknown screening alike. */
  return async (screeningId: string, token: string): Promise<ScreeningWithReferral> => {
    const screening = await ports.screenings.authorizeScreening(screeningId, token);
    const referral = screening.referred ? await ports.referrals.getReferral(screening.screeningId) : undefined;
    return referral ? { screening, referral } : { screening };
  };
}
