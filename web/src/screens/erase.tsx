/** "Erase my data": asks to confirm first, then calls the API and says that it is done. */
import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { ScreenAlert } from '../ui';

export function EraseData(props: { onErase: () => Promise<void>; referred?: boolean }) {
  const [step, setStep] = useState<'idle' | 'confirm' | 'erasing'>('idle');
  const [error, setError] = useState<string | undefined>();
  const confirmRef = useRef<HTMLDivElement>(null);

  const ask = () => {
    setStep('confirm');
    // Move focus into the confirmation so keyboard and screen-reader users land on the question.
    queueMicrotask(() => confirmRef.current?.focus());
  };

  const erase = async () => {
    setStep('erasing');
    setError(undefined);
    try {
      await props.onErase();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'We could not erase your data. Please try again.');
      setStep('confirm');
    }
  };

  return (
    <section class="erase" aria-labelledby="erase-heading">
      <h2 id="erase-heading">Your data</h2>
      {step === 'idle' ? (
        <>
          <p>We keep your answers for a limited time. You can erase them now.</p>
          <button type="button" class="button secondary" onClick={ask}>
            Erase my data
          </button>
        </>
      ) : (
        <div class="confirm" ref={confirmRef} tabIndex={-1} role="group" aria-labelledby="erase-confirm-text">
          <p id="erase-confirm-text">
            <strong>
              Erase your answers{props.referred ? ', your contact details and your requests to the study sites' : ''}?
            </strong>{' '}
            This cannot be undone.
            {props.referred ? ' If a site has already received your details, contact it directly to ask it to delete them.' : ''}
          </p>
          <ScreenAlert message={error} />
          <div class="actions">
            <button type="button" class="button danger" onClick={erase} disabled={step === 'erasing'}>
              {step === 'erasing' ? 'Erasing…' : 'Yes, erase my data'}
            </button>
            <button type="button" class="button link" onClick={() => setStep('idle')} disabled={step === 'erasing'}>
              Cancel
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
