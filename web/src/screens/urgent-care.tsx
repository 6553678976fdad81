/**
 * The stop screen after a red-flag answer: the screener's urgent-care message and emergency
 * numbers, nothing else to do. No results, no contact form.
 */
import type { Screener } from '../../../functions/core/model';
import { ScreenHeading } from '../ui';

export function UrgentCareScreen(props: { urgentCare: Screener['urgentCare'] }) {
  return (
    <section class="urgent" aria-labelledby="urgent-heading">
      <div class="urgent-panel" aria-live="assertive" role="alert">
        <ScreenHeading id="urgent-heading">Get medical help now</ScreenHeading>
        <p class="urgent-message">{props.urgentCare.message}</p>
        <p class="urgent-numbers">{props.urgentCare.emergencyNumbers}</p>
      </div>
      <p class="muted">We have stopped the questions here. You do not need to answer anything else.</p>
    </section>
  );
}
