/** The screen after erasure: it is done, and nothing else is kept in this page. */
import { ScreenHeading } from '../ui';

export function ErasedScreen() {
  return (
    <section class="erased">
      <ScreenHeading>Your data has been erased</ScreenHeading>
      <p class="lead">We have deleted your answers and anything you sent us. You can close this page.</p>
    </section>
  );
}
