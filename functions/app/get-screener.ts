/** Get a screener: its questions, branching rules, urgent-care message and consent text. */
import { refusals } from '#core/errors';
import type { Screener } from '#core/model';
import type { ScreenerStore } from '#core/ports';

export function getScreener(ports: { screeners: ScreenerStore }) {
  /** @throws DomainError SCREENER_NOT_FOUND */
  return async (screenerId: string): Promise<Screener> => {
    const screener = await ports.screeners.getScreener(screenerId);
    if (!screener) throw refusals.screenerNotFound();
    return screener;
  };
}
