/**
 * The lead page: what a study coordinator needs to act on one referral in a minute (who, how to
 * reach them, what they answered and agreed to, what is left to check), one button per outcome,
 * the history, and "Stop sending leads to this site". Works on a phone; the patient's details
 * are shown only here, never in the email (in the default minimal mode).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  NOT_ELIGIBLE_REASONS,
  NOT_ELIGIBLE_REASON_LABELS,
  SITE_OUTCOMES,
  SITE_OUTCOME_LABELS,
  type LeadOutcomeEntry,
  type NotEligibleReason,
  type SiteOutcome,
} from '#core/site-leads';
import { ApiError, type ScreenerApi, type SiteLeadView } from '../api';
import { ErrorText, ScreenAlert, ScreenHeading, describedBy } from '../ui';

export interface SiteLeadPageProps {
  api: ScreenerApi;
  /** From the address: the lead and the link's token (absent when the link was cut short). */
  link: { leadId: string; token: string | undefined } | undefined;
}

const LINK_REFUSED =
  'This link does not open a referral. It may have expired, or it was cut short when it was copied. ' +
  'Open the link from the latest email about this referral, or ask the operator of this service for a new one.';

type State =
  | { kind: 'loading' }
  | { kind: 'refused'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'ready'; lead: SiteLeadView };

export function SiteLeadPage(props: SiteLeadPageProps) {
  const { api, link } = props;
  const [state, setState] = useState<State>(link?.token ? { kind: 'loading' } : { kind: 'refused', message: LINK_REFUSED });

  const load = () => {
    if (!link?.token) return;
    api.getSiteLead(link.leadId, link.token).then(
      (lead) => setState({ kind: 'ready', lead }),
      (error: unknown) => setState(stateForError(error)),
    );
  };
  useEffect(load, [api, link?.leadId, link?.token]);

  useEffect(() => {
    document.title = `${state.kind === 'ready' ? `Referral for ${state.lead.trial.nctId}` : 'Referral'} – Clinical trial pre-screener for study teams`;
  }, [state.kind]);

  if (state.kind === 'loading')
    return (
      <SitePage>
        <p class="loading">Loading the referral…</p>
      </SitePage>
    );
  if (state.kind === 'refused' || state.kind === 'failed') {
    return (
      <SitePage>
        <ScreenHeading>{state.kind === 'refused' ? 'This link does not work' : 'Sorry, something went wrong'}</ScreenHeading>
        <ScreenAlert message={state.message} />
        {state.kind === 'failed' ? (
          <div class="actions">
            <button type="button" class="button primary" onClick={() => window.location.reload()}>
              Try again
            </button>
          </div>
        ) : null}
      </SitePage>
    );
  }

  const lead = state.lead;
  const token = link!.token!;
  const update = (changes: Partial<SiteLeadView>) => setState({ kind: 'ready', lead: { ...lead, ...changes } });
  return (
    <SitePage>
      <section class="site-lead" aria-labelledby="lead-heading">
        <ScreenHeading id="lead-heading">Referral for {lead.trial.title}</ScreenHeading>
        <p class="lead">
          {lead.site.facility}
          {placeOf(lead.site) ? `, ${placeOf(lead.site)}` : ''}
        </p>
        <dl class="lead-facts">
          <div>
            <dt>Study</dt>
            <dd>
              <a href={lead.trial.url} rel="noreferrer">
                {lead.trial.nctId}
              </a>
            </dd>
          </div>
          <div>
            <dt>Referred</dt>
            <dd>{formatTime(lead.referredAt)}</dd>
          </div>
          <div>
            <dt>Lead id</dt>
            <dd class="lead-id">{lead.leadId}</dd>
          </div>
        </dl>
        {lead.sitePaused ? (
          <div class="notice" role="status">
            <p>
              <strong>Your site is not receiving new leads for this study.</strong> The operator of this service has been told and
              can start them again.
            </p>
          </div>
        ) : null}

        <Section title="Contact the patient" id="contact-heading">
          <p class="patient-name">
            <strong>{lead.patient.name}</strong>
          </p>
          <ul class="contact-list">
            <li>
              Email: <a href={`mailto:${lead.patient.email}`}>{lead.patient.email}</a>
            </li>
            {lead.patient.phone ? (
              <li>
                Phone: <a href={`tel:${lead.patient.phone}`}>{lead.patient.phone}</a>
                {lead.patient.phoneContact ? null : <span class="muted"> (did not agree to phone calls: please use email)</span>}
              </li>
            ) : null}
          </ul>
        </Section>

        <RecordOutcome
          lead={lead}
          onRecord={async (outcome) => {
            const recorded = await api.recordSiteOutcome(lead.leadId, token, outcome);
            update({ outcomes: recorded.outcomes });
          }}
        />

        <Section title="History" id="history-heading">
          <History outcomes={lead.outcomes} />
        </Section>

        <Section title="What they answered" id="answers-heading">
          {lead.qualifyingAnswers.length > 0 ? (
            <dl class="answers">
              {lead.qualifyingAnswers.map((answer) => (
                <div key={answer.question}>
                  <dt>{answer.question}</dt>
                  <dd>{answer.answer}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p class="muted">No answers were recorded for this study's questions.</p>
          )}
        </Section>

        <Section title="What the form checked" id="criteria-heading">
          <TextList items={lead.criteriaMet} empty="No criterion of this study could be checked by the form." />
        </Section>

        <Section title="Left to the study team" id="left-heading">
          <p class="muted">The form could not check these; please ask the patient.</p>
          <TextList items={lead.leftToStudyTeam} empty="Nothing recorded: check the study's full criteria as usual." />
        </Section>

        <Section title="Consent" id="consent-heading">
          <p>
            On {formatTime(lead.consent.acceptedAt)} the patient agreed to share their answers and contact details with this study
            site (consent text version <span class="consent-version">{lead.consent.textVersion}</span>).
          </p>
          <p>This is a pre-screening only: the study team makes the final eligibility decision.</p>
        </Section>

        {lead.sitePaused ? null : (
          <StopLeads
            onStop={async (reason) => {
              await api.pauseSite(lead.leadId, token, reason);
              update({ sitePaused: true });
            }}
          />
        )}

        <p class="muted small">
          This link is for this referral only and works until {formatTime(lead.linkExpiresAt)}. Do not forward it.
        </p>
      </section>
    </SitePage>
  );
}

function RecordOutcome(props: {
  lead: SiteLeadView;
  onRecord: (outcome: { outcome: SiteOutcome; reason?: NotEligibleReason; note?: string }) => Promise<void>;
}) {
  const [choosing, setChoosing] = useState<SiteOutcome | undefined>();
  const [reason, setReason] = useState<NotEligibleReason | ''>('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | undefined>();

  const submit = async (outcome: SiteOutcome) => {
    if (outcome === 'not_eligible' && !reason) return setError('Choose why the patient is not eligible.');
    if (reason === 'other' && !note.trim()) return setError('Say in a few words why the patient is not eligible.');
    setBusy(true);
    setError(undefined);
    try {
      await props.onRecord({
        outcome,
        ...(outcome === 'not_eligible' && reason ? { reason } : {}),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setSaved(`Saved: ${SITE_OUTCOME_LABELS[outcome]}.`);
      setChoosing(undefined);
      setReason('');
      setNote('');
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'We could not save this. Please try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="Record what happened" id="record-heading">
      <p class="muted">The patient sees a plain-words version of each step (never your note or the reason).</p>
      <div class="outcome-buttons">
        {SITE_OUTCOMES.map((outcome) => (
          <button
            key={outcome}
            type="button"
            class={`button ${choosing === outcome ? 'primary' : 'secondary'}`}
            aria-pressed={choosing === outcome}
            disabled={busy}
            onClick={() => {
              setSaved(undefined);
              setError(undefined);
              setChoosing(outcome);
            }}
          >
            {SITE_OUTCOME_LABELS[outcome]}
          </button>
        ))}
      </div>
      {choosing ? (
        <form
          class="outcome-form"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(choosing);
          }}
        >
          {choosing === 'not_eligible' ? (
            <div class="field">
              <label for="outcome-reason">Why is the patient not eligible?</label>
              <select
                id="outcome-reason"
                class="input"
                value={reason}
                aria-describedby={describedBy(error && !reason && 'outcome-error')}
                onChange={(event) => setReason((event.currentTarget as HTMLSelectElement).value as NotEligibleReason | '')}
              >
                <option value="">Choose a reason</option>
                {NOT_ELIGIBLE_REASONS.map((value) => (
                  <option key={value} value={value}>
                    {NOT_ELIGIBLE_REASON_LABELS[value]}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div class="field">
            <label for="outcome-note">Note for your records {reason === 'other' ? '(required)' : '(optional)'}</label>
            <p id="outcome-note-help" class="help">
              One line, at most 500 characters. Not shown to the patient.
            </p>
            <input
              id="outcome-note"
              class="input"
              type="text"
              maxLength={500}
              value={note}
              aria-describedby={describedBy('outcome-note-help', error && 'outcome-error')}
              onInput={(event) => setNote((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <ErrorText id="outcome-error" message={error} />
          <div class="actions">
            <button type="submit" class="button primary" disabled={busy}>
              {busy ? 'Saving…' : `Save “${SITE_OUTCOME_LABELS[choosing]}”`}
            </button>
            <button type="button" class="button link" disabled={busy} onClick={() => setChoosing(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <p class="saved" role="status">
        {saved ?? ''}
      </p>
    </Section>
  );
}

function History(props: { outcomes: LeadOutcomeEntry[] }) {
  if (props.outcomes.length === 0) return <p class="muted">Nothing recorded yet.</p>;
  return (
    <ol class="history">
      {[...props.outcomes].reverse().map((entry) => (
        <li key={`${entry.at}-${entry.outcome}`}>
          <strong>{SITE_OUTCOME_LABELS[entry.outcome]}</strong>
          {entry.reason ? <span>: {NOT_ELIGIBLE_REASON_LABELS[entry.reason]}</span> : null}
          <span class="history-time"> {formatTime(entry.at)}</span>
          {entry.note ? <span class="history-note">{entry.note}</span> : null}
        </li>
      ))}
    </ol>
  );
}

function StopLeads(props: { onStop: (reason: string | undefined) => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  return (
    <section class="stop-leads" aria-labelledby="stop-heading">
      <h2 id="stop-heading">Not taking referrals?</h2>
      <p>If your site no longer recruits for this study, stop new leads. Leads already sent stay here.</p>
      {confirming ? (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              await props.onStop(reason.trim() || undefined);
            } catch (e) {
              setError(e instanceof ApiError ? e.message : 'We could not stop the leads. Please try again.');
              setBusy(false);
            }
          }}
        >
          <div class="field">
            <label for="stop-reason">Why (optional, for the operator)</label>
            <input
              id="stop-reason"
              class="input"
              type="text"
              maxLength={500}
              value={reason}
              onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <ErrorText id="stop-error" message={error} />
          <div class="actions">
            <button type="submit" class="button danger" disabled={busy}>
              {busy ? 'Stopping…' : 'Yes, stop sending leads to this site'}
            </button>
            <button type="button" class="button link" disabled={busy} onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div class="actions">
          <button type="button" class="button danger" onClick={() => setConfirming(true)}>
            Stop sending leads to this site
          </button>
        </div>
      )}
    </section>
  );
}

function Section(props: { title: string; id: string; children: ComponentChildren }) {
  return (
    <section class="lead-section" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

function TextList(props: { items: string[]; empty: string }) {
  if (props.items.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <ul class="text-list">
      {props.items.map((item) => (
        <li key={item}>{item}</li>
      ))}
    </ul>
  );
}

function SitePage(props: { children: ComponentChildren }) {
  return (
    <>
      <header class="site-header">
        <p class="site-name">Clinical trial pre-screener · for study teams</p>
      </header>
      <main class="page" id="main">
        {props.children}
      </main>
      <footer class="site-footer">
        <p>This page holds a patient's health information. Do not share it outside the study team.</p>
      </footer>
    </>
  );
}

function stateForError(error: unknown): State {
  if (error instanceof ApiError && [400, 401, 403, 404].includes(error.status)) return { kind: 'refused', message: LINK_REFUSED };
  if (error instanceof ApiError && error.status === 429) return { kind: 'failed', message: error.message };
  return { kind: 'failed', message: 'We could not load the referral. Please try again in a moment.' };
}

function placeOf(site: SiteLeadView['site']): string {
  return [site.city, site.state, site.country].filter((part) => part && part.trim()).join(', ');
}

function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
