/**
 * The page the erasure link of the confirmation email opens: what erasing removes, one button to
 * confirm, then the erased screen, or a plain explanation when the link no longer works (it was
 * already used, the data has expired or the link was cut short when copied).
 */
import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import { ScreenAlert, ScreenHeading } from '../ui';

export interface EraseFromLinkScreenProps {
  /** False when the address held an erasure link that could not be read (for example cut short). */
  linkReadable: boolean;
  onErase: () => Promise<void>;
}

const LINK_NOT_VALID =
  'This link no longer works: your data has already been erased, or it was kept for its full time and has been deleted. ' +
  'There is nothing more to do.';
const LINK_INCOMPLETE =
  'This link is incomplete. Open it again from your confirmation email, or copy the whole link into the address bar.';

/** API refusals that mean the link cannot erase anything: no such screening, or not its token. */
function linkNoLongerWorks(error: unknown): boolean {
  return error instanceof ApiError && [400, 401, 403, 404].includes(error.status);
}

export function EraseFromLinkScreen(props: EraseFromLinkScreenProps) {
  const [state, setState] = useState<'ready' | 'erasing' | 'link_not_valid'>('ready');
  const [error, setError] = useState<string | undefined>(props.linkReadable ? undefined : LINK_INCOMPLETE);

  const erase = async () => {
    setState('erasing');
    setError(undefined);
    try {
      await props.onErase();
    } catch (e) {
      if (linkNoLongerWorks(e)) {
        setState('link_not_valid');
        setError(LINK_NOT_VALID);
        return;
      }
      setState('ready');
      setError(e instanceof ApiError ? e.message : 'We could not erase your data. Please try again.');
    }
  };

  const canErase = props.linkReadable && state !== 'link_not_valid';
  return (
    <section class="erase-from-link" aria-labelledby="erase-from-link-heading">
      <ScreenHeading id="erase-from-link-heading">Erase your data</ScreenHeading>
      <p class="lead">You opened the link in your confirmation email. Erasing deletes from this service:</p>
      <ul class="facts">
        <li>your answers to the questions and your results</li>
        <li>your name, email address and phone number</li>
        <li>your requests to be contacted by study sites, including any not yet sent</li>
      </ul>
      <p>
        This cannot be undone. Study sites that have already received your details keep their own records; contact them directly
        to ask them to delete them.
      </p>
      <ScreenAlert message={error} />
      {canErase ? (
        <>
          <div class="actions">
            <button type="button" class="button danger" onClick={erase} disabled={state === 'erasing'}>
              {state === 'erasing' ? 'Erasing…' : 'Yes, erase my data'}
            </button>
          </div>
          <p class="muted small">If you want to keep your data, close this page.</p>
        </>
      ) : null}
    </section>
  );
}
