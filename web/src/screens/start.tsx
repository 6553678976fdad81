/** The first screen: what this is, how long it takes, and that it is not medical advice. */
import type { Screener } from '#core/model';
import { ScreenHeading } from '../ui';

export function StartScreen(props: { screener: Screener; onStart: () => void }) {
  const { screener } = props;
  return (
    <section class="start">
      <ScreenHeading>{screener.title}</ScreenHeading>
      <p class="lead">{screener.intro}</p>
      <ul class="facts">
        <li>About {screener.estimatedMinutes} minutes, one question at a time. You can go back and change an answer.</li>
        <li>Nothing is shared with anyone unless you choose a study and agree to be contacted.</li>
      </ul>
      <p class="notice">If you feel very unwell right now, do not use this form: call your local emergency number.</p>
      <div class="actions">
        <button type="button" class="button primary" onClick={props.onStart}>
          Start
        </button>
      </div>
    </section>
  );
}
