/** After a referral: what happens next, which sites will get in touch, and the erase action. */
import type { TrialResult } from '#core/model';
import { useEffect, useState } from 'preact/hooks';
import type { ReferralResponse, ScreeningLead } from '../api';
import { describePlace } from '../flow';
import { ScreenHeading } from '../ui';
import { EraseData } from './erase';

export interface ConfirmationScreenProps {
  referral: ReferralResponse;
  /** The screening id: the reference the confirmation email quotes, and what erasure by reply takes. */
  reference: string;
  results: TrialResult[];
  email: string;
  phoneContact: boolean;
  /** Each lead's status and what the study team has recorded so far. */
  onCheckProgress: () => Promise<ScreeningLead[]>;
  onErase: () => Promise<void>;
}

export function ConfirmationScreen(props: ConfirmationScreenProps) {
  const byTrial = new Map(props.results.map((r) => [r.trialId, r]));
  const [progress, setProgress] = useState<Map<string, ScreeningLead>>(new Map());
  const [checking, setChecking] = useState(false);
  const [checkFailed, setCheckFailed] = useState(false);
  const checkProgress = async () => {
    setChecking(true);
    setCheckFailed(false);
    try {
      setProgress(new Map((await props.onCheckProgress()).map((lead) => [lead.leadId, lead])));
    } catch {
      setCheckFailed(true);
    } finally {
      setChecking(false);
    }
  };
  useEffect(() => {
    void checkProgress();
  }, []);
  return (
    <section class="confirmation">
      <div class="success-panel">
        <ScreenHeading>We are sending your details</ScreenHeading>
        <p>
          Your reference: <strong>{props.reference}</strong>
        </p>
      </div>
      <h2>What happens next</h2>
      <ol class="steps">
        <li>
          We send your name, contact details and answers to the study {props.referral.leads.length === 1 ? 'site' : 'sites'}{' '}
          below.
        </li>
        <li>We send a confirmation to {props.email}, with a link to erase your data whenever you want.</li>
        <li>
          The study team may contact you by email{props.phoneContact ? ' or phone' : ''}. They will tell you more and check if you
          can take part. They make the final decision.
        </li>
        <li>If you do not hear from them, you can contact them yourself. Taking part is always your choice.</li>
      </ol>
      <h2>Where we send your details</h2>
      <ul class="site-list">
        {props.referral.leads.map((lead) => {
          const trial = byTrial.get(lead.trialId);
          const site = trial?.nearestSite;
          return (
            <li key={lead.leadId}>
              <strong>{site?.facility ?? 'The study site'}</strong>
              {site && describePlace(site) ? <span class="site-place">{describePlace(site)}</span> : null}
              <span class="site-study">Study: {trial?.title ?? lead.trialId}</span>
              <span class="site-progress">
                {progress.get(lead.leadId)?.progress?.text ?? 'Waiting for the study team to get in touch.'}
              </span>
            </li>
          );
        })}
      </ul>
      <div class="actions">
        <button type="button" class="button secondary" disabled={checking} onClick={() => void checkProgress()}>
          {checking ? 'Checking…' : 'Check for news from the study team'}
        </button>
      </div>
      <p class="muted" role="status">
        {checkFailed ? 'We could not check for news just now. Please try again in a moment.' : ''}
      </p>
      <p class="muted">Taking part is always your choice. You can say no at any time, even after you agree to be contacted.</p>
      <EraseData onErase={props.onErase} referred />
    </section>
  );
}
