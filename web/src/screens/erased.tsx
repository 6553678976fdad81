/**
 * The screen after erasure: it is done, and nothing else is kept in this page. When a study site
 * had already received the patient's details, erasing here cannot reach the site's own records,
 * so the screen names each such site and how to find its contact details (GDPR art. 19: the
 * patient is told who the data went to).
 */
import { trialRegistryUrl } from '#core/site-leads';
import type { ErasureResponse } from '../api';
import { formatRecordDate } from '../flow';
import { ScreenHeading } from '../ui';

type Disclosure = ErasureResponse['disclosedTo'][number];

export function ErasedScreen(props: { disclosedTo: Disclosure[] }) {
  const { disclosedTo } = props;
  return (
    <section class="erased">
      <ScreenHeading>Your data has been erased</ScreenHeading>
      <p class="lead">We have deleted your answers and anything you sent us.</p>
      {disclosedTo.length > 0 ? (
        <div class="already-told">
          <h2>Study sites that already had your details</h2>
          <p>
            Before you erased your data, we had sent your details to{' '}
            {disclosedTo.length === 1 ? 'this study site' : 'these study sites'}. They keep their own records: to ask them to
            delete your details too, contact them directly. The study page on ClinicalTrials.gov lists their contacts.
          </p>
          <ul>
            {disclosedTo.map((disclosure) => (
              <li key={`${disclosure.trialId}/${disclosure.siteId}`}>
                <strong>{disclosure.facility ?? 'A study site'}</strong>, study{' '}
                <a href={trialRegistryUrl(disclosure.trialId)} rel="noreferrer">
                  {disclosure.trialId}
                </a>
                {disclosedWhen(disclosure)}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p>No study site had received your details. You can close this page.</p>
      )}
    </section>
  );
}

/** "(sent 3 March 2026)", or the honest doubt when the send was interrupted and may have gone out. */
function disclosedWhen(disclosure: Disclosure): string {
  if (disclosure.status === 'POSSIBLY_SENT') return ' (our email to this site may have reached it)';
  return disclosure.sentAt ? ` (sent ${formatRecordDate(disclosure.sentAt.slice(0, 10))})` : '';
}
