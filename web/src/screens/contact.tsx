/**
 * Contact and consent: choose studies, give contact details, and give consent in two separate,
 * unticked boxes whose full text is shown. The consent text's version is sent with the request.
 */
import type { ConsentText, TrialResult } from '#core/model';
import { useRef, useState } from 'preact/hooks';
import { ApiError, type ReferralRequest } from '../api';
import {
  PHONE_EXAMPLE,
  checkContact,
  contactFieldOf,
  describeDistance,
  type ContactDraft,
  type ContactErrors,
  type ContactField,
} from '../flow';
import { ErrorText, ScreenHeading, describedBy } from '../ui';

export interface ContactScreenProps {
  referable: TrialResult[];
  consent: ConsentText;
  onSubmit: (request: ReferralRequest) => Promise<void>;
  onBack: () => void;
}

/** Where each field's input lives, so the error summary can link to it. */
const FIELD_TARGET: Record<ContactField, string> = {
  trialIds: `trial-choice-0`,
  name: 'contact-name',
  email: 'contact-email',
  phone: 'contact-phone',
  shareWithSites: 'consent-share',
  phoneContact: 'consent-phone',
};

const FIELD_ORDER: ContactField[] = ['trialIds', 'name', 'email', 'phone', 'shareWithSites', 'phoneContact'];

export function ContactScreen(props: ContactScreenProps) {
  const [draft, setDraft] = useState<ContactDraft>({
    name: '',
    email: '',
    phone: '',
    trialIds: [],
    shareWithSites: false,
    phoneContact: false,
  });
  const [errors, setErrors] = useState<ContactErrors>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);

  const update = <K extends keyof ContactDraft>(key: K, value: ContactDraft[K]) => {
    setDraft((current) => ({ ...current, [key]: value }));
    if (errors[key as ContactField]) setErrors((current) => ({ ...current, [key]: undefined }));
  };

  const toggleTrial = (trialId: string) => {
    update(
      'trialIds',
      draft.trialIds.includes(trialId) ? draft.trialIds.filter((id) => id !== trialId) : [...draft.trialIds, trialId],
    );
  };

  const showProblems = (problems: ContactErrors, message: string | undefined) => {
    setErrors(problems);
    setFormError(message);
    // The summary lists every problem and links to its field; focusing it announces them all.
    queueMicrotask(() => summaryRef.current?.focus());
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const problems = checkContact(draft);
    if (Object.keys(problems).length > 0) {
      showProblems(problems, undefined);
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(undefined);
    const phone = draft.phone.trim();
    try {
      await props.onSubmit({
        trialIds: draft.trialIds,
        contact: { name: draft.name.trim(), email: draft.email.trim(), ...(phone ? { phone } : {}) },
        consent: { shareWithSites: true, phoneContact: draft.phoneContact, textVersion: props.consent.version },
      });
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError) {
        const fromServer: ContactErrors = {};
        const unplaced: string[] = [];
        for (const detail of e.details) {
          const field = contactFieldOf(detail.path);
          if (field) fromServer[field] = detail.message;
          else unplaced.push(detail.message);
        }
        const placed = Object.keys(fromServer).length > 0;
        showProblems(fromServer, placed && unplaced.length === 0 ? undefined : [e.message, ...unplaced].join(' '));
      } else {
        showProblems({}, 'Something went wrong. Please try again.');
      }
    }
  };

  const problems = FIELD_ORDER.filter((field) => errors[field]);
  const hasProblems = problems.length > 0 || !!formError;

  return (
    <form class="contact" onSubmit={submit} noValidate>
      <ScreenHeading>Ask to be contacted</ScreenHeading>
      <p class="lead">Choose the studies you would like to hear from, and tell us how they can reach you.</p>

      <div
        class={`error-summary${hasProblems ? '' : ' hidden'}`}
        ref={summaryRef}
        tabIndex={-1}
        role="alert"
        aria-labelledby="error-summary-title"
      >
        {hasProblems ? (
          <>
            <h2 id="error-summary-title">Please check the form</h2>
            {formError ? <p>{formError}</p> : null}
            {problems.length ? (
              <ul>
                {problems.map((field) => (
                  <li key={field}>
                    <a href={`#${FIELD_TARGET[field]}`} onClick={(event) => focusField(event, FIELD_TARGET[field])}>
                      {errors[field]}
                    </a>
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : null}
      </div>

      <fieldset class="choices" aria-describedby={describedBy('trials-help', errors.trialIds && 'trials-error')}>
        <legend>
          <h2>Which studies?</h2>
        </legend>
        <p class="help" id="trials-help">
          We send your details only to the site shown under each study you tick.
        </p>
        <ErrorText id="trials-error" message={errors.trialIds} />
        <div class="options">
          {props.referable.map((trial, index) => {
            const site = trial.nearestSite!;
            const distance = describeDistance(site);
            const checked = draft.trialIds.includes(trial.trialId);
            return (
              <label class={`option${checked ? ' checked' : ''}`} key={trial.trialId} for={`trial-choice-${index}`}>
                <input
                  id={`trial-choice-${index}`}
                  type="checkbox"
                  name="trialIds"
                  value={trial.trialId}
                  checked={checked}
                  onChange={() => toggleTrial(trial.trialId)}
                />
                <span class="option-label">
                  <strong>{trial.title}</strong>
                  <span class="option-detail">
                    {site.facility}
                    {site.city ? `, ${site.city}` : ''}
                    {distance ? ` (${distance})` : ''}
                  </span>
                </span>
              </label>
            );
          })}
        </div>
      </fieldset>

      <h2>Your contact details</h2>
      <TextField
        field="name"
        label="Your name"
        type="text"
        autocomplete="name"
        maxLength={120}
        value={draft.name}
        error={errors.name}
        onInput={(value) => update('name', value)}
      />
      <TextField
        field="email"
        label="Email address"
        help="For example name@example.com. We will send you a confirmation."
        type="email"
        autocomplete="email"
        spellcheck={false}
        maxLength={254}
        value={draft.email}
        error={errors.email}
        onInput={(value) => update('email', value)}
      />
      <TextField
        field="phone"
        label="Phone number (optional)"
        help={`Include your country code, for example ${PHONE_EXAMPLE}.`}
        type="tel"
        autocomplete="tel"
        maxLength={30}
        value={draft.phone}
        error={errors.phone}
        onInput={(value) => update('phone', value)}
      />

      <fieldset class="consents">
        <legend>
          <h2>Your consent</h2>
        </legend>
        <div class="options">
          <ErrorText id="share-error" message={errors.shareWithSites} />
          <label class={`option${draft.shareWithSites ? ' checked' : ''}`} for="consent-share">
            <input
              id="consent-share"
              type="checkbox"
              name="shareWithSites"
              checked={draft.shareWithSites}
              aria-invalid={errors.shareWithSites ? true : undefined}
              aria-describedby={describedBy(errors.shareWithSites && 'share-error')}
              onChange={(event) => update('shareWithSites', event.currentTarget.checked)}
            />
            <span class="option-label">{props.consent.shareWithSites}</span>
          </label>
          <ErrorText id="phone-consent-error" message={errors.phoneContact} />
          <label class={`option${draft.phoneContact ? ' checked' : ''}`} for="consent-phone">
            <input
              id="consent-phone"
              type="checkbox"
              name="phoneContact"
              checked={draft.phoneContact}
              aria-invalid={errors.phoneContact ? true : undefined}
              aria-describedby={describedBy('phone-consent-help', errors.phoneContact && 'phone-consent-error')}
              onChange={(event) => update('phoneContact', event.currentTarget.checked)}
            />
            <span class="option-label">
              {props.consent.phoneContact}
              <span class="option-detail" id="phone-consent-help">
                Optional. Leave this unticked and the study team can only email you.
              </span>
            </span>
          </label>
        </div>
        <p class="muted small consent-version">Consent text version {props.consent.version}.</p>
      </fieldset>

      <div class="actions">
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Sending…' : 'Send my details'}
        </button>
        <button type="button" class="button link" onClick={props.onBack} disabled={busy}>
          Back to results
        </button>
      </div>
    </form>
  );
}

function focusField(event: Event, id: string) {
  event.preventDefault();
  document.getElementById(id)?.focus();
}

interface TextFieldProps {
  field: 'name' | 'email' | 'phone';
  label: string;
  help?: string;
  type: 'text' | 'email' | 'tel';
  autocomplete: string;
  spellcheck?: boolean;
  maxLength: number;
  value: string;
  error: string | undefined;
  onInput: (value: string) => void;
}

/** One contact input with its label, optional help and announced error (ids `contact-<field>`, `<field>-help`, `<field>-error`). */
function TextField(props: TextFieldProps) {
  const helpId = props.help ? `${props.field}-help` : undefined;
  const errorId = `${props.field}-error`;
  return (
    <div class="field">
      <label for={`contact-${props.field}`}>{props.label}</label>
      {props.help ? (
        <p class="help" id={helpId}>
          {props.help}
        </p>
      ) : null}
      <ErrorText id={errorId} message={props.error} />
      <input
        class="input"
        id={`contact-${props.field}`}
        name={props.field}
        type={props.type}
        // Preact types text-like inputs as a union keyed on `type`; a union-typed `type` needs `list` said.
        list={undefined}
        autocomplete={props.autocomplete}
        spellcheck={props.spellcheck}
        maxLength={props.maxLength}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={describedBy(helpId, props.error && errorId)}
        onInput={(event) => props.onInput(event.currentTarget.value)}
      />
    </div>
  );
}
