/**
 * The stop screen of the emergency tier: go to an emergency department now, with only the
 * patient's own country's numbers (as `tel:` links), what to tell them, and why. Nothing else to
 * do: no results, no contact form.
 */
import type { UrgentCare } from '#core/model';
import { ScreenHeading } from '../ui';

export function UrgentCareScreen(props: { urgentCare: UrgentCare }) {
  const { urgentCare } = props;
  const { numbers } = urgentCare;
  return (
    <section class="urgent" aria-labelledby="urgent-heading">
      <div class="urgent-panel" aria-live="assertive" role="alert">
        <ScreenHeading id="urgent-heading">Get medical help now</ScreenHeading>
        <p class="urgent-action">{urgentCare.action}</p>
        {numbers.emergency.length > 0 ? (
          <ul
            class="urgent-calls"
            aria-label={numbers.countryName ? `Emergency numbers in ${numbers.countryName}` : 'Emergency numbers'}
          >
            {numbers.emergency.map((phone) => (
              <li key={phone.dial}>
                <a class="call" href={`tel:${phone.dial}`}>
                  Call {phone.number}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
        <p class="urgent-say">{urgentCare.whatToSay}</p>
      </div>
      {numbers.note ? <p class="urgent-note">{numbers.note}</p> : null}
      <p class="urgent-message">{urgentCare.message}</p>
      {urgentCare.reasons.length > 0 ? (
        <>
          <h2>What you told us</h2>
          <ul class="urgent-reasons">
            {urgentCare.reasons.map((reason) => (
              <li key={`${reason.questionId}:${reason.text}`}>{reason.text}</li>
            ))}
          </ul>
        </>
      ) : null}
      <p class="muted">We have stopped the questions here. You do not need to answer anything else.</p>
    </section>
  );
}
