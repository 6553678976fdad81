/**
 * Erase a screening (token): the screening, its referral, its leads and the patient's
 * confirmation go at once, or nothing does; the receipt names the sites that already had the lead.
 */
import type { ErasureReceipt, ScreeningStore } from '#core/ports';

export interface EraseScreeningPorts {
  screenings: ScreeningStore;
}

export function eraseScreening(ports: EraseScreeningPorts) {
  /** @throws DomainError TOKEN_INVALID for a wrong token or an unknown screening alike. */
  return (screeningId: string, token: string): Promise<ErasureReceipt> => ports.screenings.eraseScreening(screeningId, token);
}
