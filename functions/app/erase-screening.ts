/**
 * Erase a screening (token): the screening, its referral, its leads and the patient's
 * confirmation go at once, or nothing does; the receipt names the sites that already had the lead.
 */
import type { ErasureReceipt, ErasureStore } from '#core/ports';

export interface EraseScreeningPorts {
  erasures: ErasureStore;
}

export function eraseScreening(ports: EraseScreeningPorts) {
  /** @throws DomainError TOKEN_INVALID for a wrong token or an unknown screening alike. */
  return (screeningId: string, token: string): Promise<ErasureReceipt> => ports.erasures.eraseScreening(screeningId, token);
}
