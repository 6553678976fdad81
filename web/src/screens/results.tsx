/** Results: each trial grouped by whether the patient may qualify, with the reasons and the nearest site. */
import type { CriterionEvaluation, CriterionResult, MedicalAdvice, TrialResult } from '#core/model';
import type { ComponentChildren } from 'preact';
import { describeDistance, describePlace, formatRecordDate, groupResults, splitSummary, referableResults } from '../flow';
import { ScreenHeading } from '../ui';
import { EraseData } from './erase';

export interface ResultsScreenProps {
  results: TrialResult[];
  /** The see-a-doctor-soon tier's advice, shown before anything else. */
  medicalAdvice?: MedicalAdvice | undefined;
  generalAdvice: string;
  onContact: () => void;
  onErase: () => Promise<void>;
  /**
   * The question to go back to from a criterion not met or not known (`questionToChange`), or
   * undefined when the form cannot change it; absent: no "Change this answer".
   */
  changeableQuestion?: (criterion: CriterionEvaluation) => string | undefined;
  onChangeAnswer?: (questionId: string) => void;
}

/** How a criterion links back to the question it is based on. */
interface AnswerChanger {
  questionFor: (criterion: CriterionEvaluation) => string | undefined;
  change: (questionId: string) => void;
}

export function ResultsScreen(props: ResultsScreenProps) {
  const groups = groupResults(props.results);
  const referable = referableResults(props.results);
  const changer: AnswerChanger | undefined =
    props.changeableQuestion && props.onChangeAnswer
      ? { questionFor: props.changeableQuestion, change: props.onChangeAnswer }
      : undefined;
  return (
    <section class="results">
      <ScreenHeading>Your results</ScreenHeading>
      {props.medicalAdvice ? <MedicalAdviceBox advice={props.medicalAdvice} /> : null}
      <p class="lead">{summarySentence(referable.length, groups.notReferable.length, props.results.length)}</p>
      <DemoNotice results={props.results} />
      {referable.length > 0 ? (
        <div class="callout">
          <p>
            You can ask {referable.length === 1 ? 'this study' : 'these studies'} to contact you. Nothing is sent until you choose
            a study and agree.
          </p>
          <div class="actions">
            <button type="button" class="button primary" onClick={props.onContact}>
              Ask to be contacted
            </button>
          </div>
        </div>
      ) : null}
      <TrialGroup
        id="group-eligible"
        title="You may qualify"
        intro="Your answers meet everything this form asks about. The study team will still check more before you can take part."
        trials={groups.eligible}
        changer={changer}
        open
      />
      <TrialGroup
        id="group-possibly"
        title="You may qualify, some answers needed"
        intro="None of your answers rules you out, but some are not known yet. The study team will ask you about them."
        trials={groups.possiblyEligible}
        changer={changer}
        open
      />
      <TrialGroup
        id="group-not-referable"
        title="May fit you, but we cannot send your details"
        intro="Your answers may fit these studies, but they cannot take a request from this form. Each says why."
        trials={groups.notReferable}
        changer={changer}
        open
      />
      <TrialGroup
        id="group-ineligible"
        title="Not a match"
        intro="At least one of your answers does not fit what these studies need."
        trials={groups.ineligible}
        changer={changer}
        open={false}
      />
      <div class="advice">
        <h2>Looking after your back</h2>
        <p>{props.generalAdvice}</p>
        <p>This is not medical advice. A study team always makes the final decision about who can take part.</p>
      </div>
      <EraseData onErase={props.onErase} />
    </section>
  );
}

/** The see-a-doctor-soon advice: first on the screen, with the reasons in the patient's words. */
function MedicalAdviceBox(props: { advice: MedicalAdvice }) {
  return (
    <section class="medical-advice" aria-labelledby="medical-advice-heading">
      <h2 id="medical-advice-heading">Please talk to a doctor</h2>
      <p>{props.advice.message}</p>
      <p>This is because of what you told us:</p>
      <ul>
        {props.advice.reasons.map((reason) => (
          <li key={`${reason.questionId}:${reason.text}`}>{reason.text}</li>
        ))}
      </ul>
      <p>You can still look at the studies below.</p>
    </section>
  );
}

/** The header counts only the studies the patient can actually ask to be contacted by. */
function summarySentence(referable: number, notReferable: number, total: number): string {
  if (total === 0) return 'There are no studies recruiting for this condition in our list right now.';
  const checked = `We checked ${total} ${total === 1 ? 'study' : 'studies'}.`;
  const apart =
    notReferable === 0
      ? ''
      : ` ${notReferable} more may fit you but cannot take a request from this form; ${notReferable === 1 ? 'it is' : 'they are'} listed apart.`;
  if (referable === 0) return `${checked} From your answers, none of them can take your request right now.${apart}`;
  return `${checked} You may qualify for ${referable}, and you can ask ${referable === 1 ? 'it' : 'them'} to contact you.${apart}`;
}

function TrialGroup(props: {
  id: string;
  title: string;
  intro: string;
  trials: TrialResult[];
  open: boolean;
  changer: AnswerChanger | undefined;
}) {
  if (props.trials.length === 0) return null;
  return (
    <section class="trial-group" aria-labelledby={props.id}>
      <h2 id={props.id}>
        {props.title} <span class="count">({props.trials.length})</span>
      </h2>
      <p class="muted">{props.intro}</p>
      <ul class="trial-list">
        {props.trials.map((trial) => (
          <li key={trial.trialId}>
            <TrialCard trial={trial} open={props.open} changer={props.changer} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function TrialCard(props: { trial: TrialResult; open: boolean; changer: AnswerChanger | undefined }) {
  const { trial } = props;
  const headingId = `trial-${trial.trialId}`;
  return (
    <article class={`trial trial-${trial.eligibility}`} aria-labelledby={headingId}>
      <h3 id={headingId}>{trial.title}</h3>
      <p class="trial-meta">
        {trial.trialId}
        {trial.phase ? ` · ${trial.phase}` : ''} · Registry record from {formatRecordDate(trial.recordDate)}
      </p>
      {props.open ? <Summary trial={trial} /> : null}
      <NotReferableNotice trial={trial} />
      <RecordNotice trial={trial} />
      <SiteInfo trial={trial} />
      <details class="why" open={props.open}>
        <summary>{whyTitle(trial)}</summary>
        {props.open ? null : <Summary trial={trial} />}
        <ul class="criteria">
          {trial.criteria.map((criterion) => (
            <CriterionRow key={criterion.id} criterion={criterion} changer={props.changer} />
          ))}
        </ul>
        <LeftToStudyTeam items={trial.leftToStudyTeam} />
      </details>
    </article>
  );
}

function whyTitle(trial: TrialResult): string {
  if (trial.eligibility === 'ineligible') return 'About this study, and why it is not a match';
  return 'Why you may qualify';
}

/**
 * Our plain summary when the catalog has one, then the registry's summary labelled as the study
 * team's own words: its opening, with the rest one click away when it is long.
 */
function Summary(props: { trial: TrialResult }) {
  const { opening, rest } = splitSummary(props.trial.summary);
  return (
    <div class="trial-summary">
      {props.trial.plainSummary ? (
        <p>
          <strong>In short: </strong>
          {props.trial.plainSummary}
        </p>
      ) : null}
      <p class="summary-label">In the study team's own words:</p>
      <p>{opening}</p>
      {rest ? (
        <details class="summary-rest">
          <summary>Read the full summary</summary>
          <p>{rest}</p>
        </details>
      ) : null}
    </div>
  );
}

const RESULT_WORDS: Record<CriterionResult, string> = {
  met: 'Met',
  not_met: 'Not met',
  unknown: 'Not known yet',
};

function CriterionRow(props: { criterion: CriterionEvaluation; changer: AnswerChanger | undefined }) {
  const { criterion, changer } = props;
  const questionId = criterion.result === 'met' ? undefined : changer?.questionFor(criterion);
  return (
    <li class={`criterion criterion-${criterion.result}`}>
      <span class="criterion-result">{RESULT_WORDS[criterion.result]}</span>
      <span class="criterion-text">{criterion.text}</span>
      {questionId && changer ? (
        <button type="button" class="button link change-answer" onClick={() => changer.change(questionId)}>
          Change this answer<span class="visually-hidden">: {criterion.text}</span>
        </button>
      ) : null}
    </li>
  );
}

/** What the form could not ask: "The study team will also check: ...". */
function LeftToStudyTeam(props: { items: readonly string[] }) {
  if (props.items.length === 0) return null;
  return (
    <div class="left-to-study-team">
      <p>The study team will also check:</p>
      <ul>
        {props.items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Why a study that may fit cannot take a request from this form, where no other part of the card
 * says so (a stale record, a site out of reach and a site without an email have their own).
 */
function NotReferableNotice(props: { trial: TrialResult }) {
  const reason = props.trial.notReferableReason;
  if (
    props.trial.eligibility === 'ineligible' ||
    !reason ||
    reason.code === 'RECORD_STALE' ||
    reason.code === 'NO_SITE_IN_REACH' ||
    reason.code === 'NO_SITE_CONTACT'
  ) {
    return null;
  }
  return (
    <div class="not-referable" role="note">
      <p>
        <strong>{reason.message}</strong>
      </p>
      <StudyContact trial={props.trial} />
    </div>
  );
}

/**
 * Whether the registry record is current: a stale one says so in plain words with whom to ask
 * (no referral is possible); a demo confirmation (local runs) is labelled as one.
 */
function RecordNotice(props: { trial: TrialResult }) {
  const freshness = props.trial.freshness;
  if (!freshness) return null;
  if (!freshness.current) {
    return (
      <div class="record-stale" role="note">
        <p>
          <strong>{freshness.reason?.message ?? 'This study may no longer be recruiting.'}</strong> We cannot send your details to
          it.
        </p>
        <StudyContact trial={props.trial} />
      </div>
    );
  }
  if (freshness.confirmation?.demo) {
    return (
      <p class="record-demo" role="note">
        Demo only: treated as recruiting by the local demo, not checked with the study.
      </p>
    );
  }
  return null;
}

/** Once above the results when the local demo treats old records as recruiting. */
function DemoNotice(props: { results: TrialResult[] }) {
  const demo = props.results.find((result) => result.freshness?.confirmation?.demo)?.freshness?.confirmation;
  if (!demo) return null;
  return (
    <div class="record-demo" role="note">
      <p>
        <strong>This is a demo.</strong> The study records here are years old. So that you can try the whole journey, the local
        demo treats them as recruiting ("{demo.by}"). Emails go only to the local test inbox.
      </p>
    </div>
  );
}

function SiteInfo(props: { trial: TrialResult }) {
  const site = props.trial.nearestSite;
  // A stale record's notice already gives the study's contact.
  const stale = props.trial.freshness?.current === false;
  if (!site) {
    return (
      <Box title="Nearest site">
        <p>No study site near you.</p>
        {stale ? null : <StudyContact trial={props.trial} />}
      </Box>
    );
  }
  const distance = describeDistance(site);
  const place = describePlace(site);
  return (
    <Box title="Nearest site">
      <p>
        <strong>{site.facility}</strong>
        {place ? <span class="site-place">{place}</span> : null}
        {distance ? <span class="site-distance">{capitalise(distance)}</span> : null}
      </p>
      {site.acceptsReferrals || stale ? null : (
        <>
          <p>This site cannot take requests through this form.</p>
          <StudyContact trial={props.trial} />
        </>
      )}
    </Box>
  );
}

function StudyContact(props: { trial: TrialResult }) {
  const contact = props.trial.studyContact;
  if (!contact || (!contact.email && !contact.phone)) {
    return <p>To ask about this study, search for {props.trial.trialId} on ClinicalTrials.gov.</p>;
  }
  return (
    <p>
      To ask about this study, contact {contact.name ? `${contact.name}, ` : 'the study team, '}
      {contact.phone ? (
        <>
          phone <a href={`tel:${contact.phone.replace(/[^\d+]/g, '')}`}>{contact.phone}</a>
        </>
      ) : null}
      {contact.phone && contact.email ? ' or ' : null}
      {contact.email ? (
        <>
          email <a href={`mailto:${contact.email}`}>{contact.email}</a>
        </>
      ) : null}
      .
    </p>
  );
}

function Box(props: { title: string; children: ComponentChildren }) {
  return (
    <div class="site">
      <h4>{props.title}</h4>
      {props.children}
    </div>
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
