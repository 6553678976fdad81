/**
 * The patient's journey as a small state machine: start → one question per screen → results (or
 * the urgent-care stop) → contact and consent → confirmation, with erasure from results and
 * confirmation. Answers and the screening token live only in memory: nothing is stored in the
 * browser. A page opened from the confirmation email's erasure link starts on its own screen
 * instead, with the screening id and token the link carried.
 */
import type { ErasureLink } from '#core/erasure-link';
import type { AnswerValue, Answers, Screener } from '#core/model';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ApiError,
  type ErasureResponse,
  type ReferralRequest,
  type ReferralResponse,
  type ScreenerApi,
  type ScreeningResponse,
} from './api';
import {
  answersToSubmit,
  firstQuestionId,
  nextQuestionId,
  nextUnansweredQuestionId,
  previousQuestionId,
  questionToChange,
  progressOf,
  referableResults,
  stopsForEmergency,
  urgentCareFromAnswers,
} from './flow';
import { ConfirmationScreen } from './screens/confirmation';
import { ContactScreen } from './screens/contact';
import { EraseFromLinkScreen } from './screens/erase-from-link';
import { ErasedScreen } from './screens/erased';
import { QuestionScreen } from './screens/question';
import { ResultsScreen } from './screens/results';
import { StartScreen } from './screens/start';
import { UrgentCareScreen } from './screens/urgent-care';
import { ScreenAlert, ScreenHeading } from './ui';

type Stage =
  | { kind: 'loading' }
  | { kind: 'load_failed'; message: string }
  | { kind: 'start' }
  /** `changing`: the patient came from "Change this answer" on the results and goes back to them. */
  | { kind: 'question'; questionId: string; submitError?: string; changing?: true }
  | { kind: 'urgent_care' }
  | { kind: 'results' }
  | { kind: 'contact' }
  | { kind: 'confirmation' }
  | { kind: 'erase_from_link' }
  /** `disclosedTo`: the sites that had the patient's details before the erasure (they keep their own copy). */
  | { kind: 'erased'; disclosedTo: ErasureResponse['disclosedTo'] };

export interface AppProps {
  api: ScreenerApi;
  screenerId: string;
  /** A fresh Idempotency-Key for each new submission (a retry of the same answers reuses it). */
  newIdempotencyKey: () => string;
  /**
   * Set when the page was opened from the confirmation email's erasure link: the link, or
   * `'unreadable'` for an `#erase=` fragment that could not be read (cut short when copied).
   */
  erasureLink?: ErasureLink | 'unreadable' | undefined;
}

export function App(props: AppProps) {
  const { api } = props;
  const [screener, setScreener] = useState<Screener | undefined>();
  const [stage, setStage] = useState<Stage>(props.erasureLink ? { kind: 'erase_from_link' } : { kind: 'loading' });
  const [answers, setAnswers] = useState<Answers>({});
  const [busy, setBusy] = useState(false);
  const [screening, setScreening] = useState<ScreeningResponse | undefined>();
  const [referral, setReferral] = useState<{ response: ReferralResponse; email: string; phoneContact: boolean } | undefined>();
  const submission = useRef<{ body: string; idempotencyKey: string } | undefined>(undefined);

  useEffect(() => {
    // The erasure page needs no questions; nothing of the form is loaded behind it.
    if (props.erasureLink) return;
    api.getScreener(props.screenerId).then(
      (loaded) => {
        setScreener(loaded);
        setStage({ kind: 'start' });
      },
      (error: unknown) =>
        setStage({
          kind: 'load_failed',
          message:
            error instanceof ApiError && error.status !== 0 && error.status !== 500
              ? error.message
              : 'We could not load the questions. Please try again in a moment.',
        }),
    );
  }, [api, props.screenerId, props.erasureLink]);

  useEffect(() => {
    document.title = `${pageTitle(stage, screener, answers)} – ${screener?.title ?? 'Clinical trial pre-screener'}`;
    window.scrollTo({ top: 0 });
  }, [stage]);

  if (stage.kind === 'erase_from_link') {
    const link = props.erasureLink;
    return (
      <Page>
        <EraseFromLinkScreen
          linkReadable={typeof link === 'object'}
          onErase={async () => {
            if (typeof link !== 'object') return;
            const erasure = await api.eraseScreening(link.screeningId, link.token);
            setStage({ kind: 'erased', disclosedTo: erasure.disclosedTo });
          }}
        />
      </Page>
    );
  }
  // Before the screener check: after erasing from the link, no screener was ever loaded.
  if (stage.kind === 'erased') {
    return (
      <Page>
        <ErasedScreen disclosedTo={stage.disclosedTo} />
      </Page>
    );
  }
  if (stage.kind === 'loading')
    return (
      <Page>
        <p class="loading">Loading the questions…</p>
      </Page>
    );
  if (stage.kind === 'load_failed' || !screener) {
    return (
      <Page>
        <ScreenHeading>Sorry, something went wrong</ScreenHeading>
        <ScreenAlert message={stage.kind === 'load_failed' ? stage.message : undefined} />
        <div class="actions">
          <button type="button" class="button primary" onClick={() => window.location.reload()}>
            Try again
          </button>
        </div>
      </Page>
    );
  }

  /** Sends the answers; true when the server answered with a screening. */
  const submit = async (submitted: Answers, fromRedFlag: boolean): Promise<boolean> => {
    const body = answersToSubmit(screener, submitted);
    const bodyKey = JSON.stringify(body);
    // Same answers → same key, so a retry after a lost response cannot create a second screening.
    if (submission.current?.body !== bodyKey) submission.current = { body: bodyKey, idempotencyKey: props.newIdempotencyKey() };
    setBusy(true);
    try {
      const response = await api.submitScreening(screener.id, body, submission.current.idempotencyKey);
      setScreening(response);
      // The server decides too; if it ever disagreed with the browser, its outcome wins.
      setStage(response.outcome === 'urgent_care' ? { kind: 'urgent_care' } : { kind: 'results' });
      return true;
    } catch (error) {
      // After a red flag the urgent-care screen is already showing and stays: it needs no server.
      if (!fromRedFlag) setStage(stageForSubmitError(error, screener, body));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const answerQuestion = (questionId: string, value: AnswerValue | undefined) => {
    const updated = withAnswer(answers, questionId, value);
    setAnswers(updated);
    if (stopsForEmergency(screener, updated)) {
      // Stop at once; the server records and confirms the urgent-care outcome in the background.
      setStage({ kind: 'urgent_care' });
      void submit(updated, true);
      return;
    }
    if (stage.kind === 'question' && stage.changing) {
      // Back to the results, asking only the follow-up questions the change brought in.
      const followUp = nextUnansweredQuestionId(screener, updated, questionId);
      if (followUp) setStage({ kind: 'question', questionId: followUp, changing: true });
      else void resubmit(updated);
      return;
    }
    const next = nextQuestionId(screener, updated, questionId);
    if (next) setStage({ kind: 'question', questionId: next });
    else void submit(updated, false);
  };

  /** Sends the changed answers as a new screening and erases the one they replace. */
  const resubmit = async (updated: Answers) => {
    const replaced = screening;
    // The old screening holds the old answers; once the new one exists nothing refers to it.
    if ((await submit(updated, false)) && replaced)
      void api.eraseScreening(replaced.screeningId, replaced.token).catch(() => undefined);
  };

  const goBack = (questionId: string, value: AnswerValue | undefined) => {
    const updated = withAnswer(answers, questionId, value);
    setAnswers(updated);
    const previous = previousQuestionId(screener, updated, questionId);
    setStage(previous ? { kind: 'question', questionId: previous } : { kind: 'start' });
  };

  const erase = async () => {
    if (!screening) return;
    const erasure = await api.eraseScreening(screening.screeningId, screening.token);
    setScreening(undefined);
    setReferral(undefined);
    setAnswers({});
    submission.current = undefined;
    setStage({ kind: 'erased', disclosedTo: erasure.disclosedTo });
  };

  const refer = async (request: ReferralRequest) => {
    if (!screening) return;
    const response = await api.createReferral(screening.screeningId, screening.token, request);
    setReferral({ response, email: request.contact.email, phoneContact: request.consent.phoneContact });
    setStage({ kind: 'confirmation' });
  };

  switch (stage.kind) {
    case 'start':
      return (
        <Page>
          <StartScreen
            screener={screener}
            onStart={() => {
              const first = firstQuestionId(screener, answers);
              if (first) setStage({ kind: 'question', questionId: first });
            }}
          />
        </Page>
      );
    case 'question': {
      const question = screener.questions.find((q) => q.id === stage.questionId)!;
      const progress = progressOf(screener, answers, question.id);
      return (
        <Page>
          <QuestionScreen
            key={question.id}
            question={question}
            answer={answers[question.id]}
            position={progress.position}
            total={progress.total}
            isFirst={progress.position === 1}
            isLast={nextQuestionId(screener, answers, question.id) === undefined}
            busy={busy}
            submitError={stage.submitError}
            onAnswer={(value) => answerQuestion(question.id, value)}
            onBack={(value) => goBack(question.id, value)}
            onStartOver={() => setStage({ kind: 'start' })}
          />
        </Page>
      );
    }
    case 'urgent_care':
      return (
        <Page>
          <UrgentCareScreen urgentCare={screening?.urgentCare ?? urgentCareFromAnswers(screener, answers)} />
        </Page>
      );
    case 'results':
      return (
        <Page>
          <ResultsScreen
            results={screening?.results ?? []}
            medicalAdvice={screening?.medicalAdvice}
            generalAdvice={screener.generalAdvice}
            onContact={() => setStage({ kind: 'contact' })}
            onErase={erase}
            changeableQuestion={(criterion) => questionToChange(screener, answers, criterion.basedOn)}
            onChangeAnswer={(questionId) => setStage({ kind: 'question', questionId, changing: true })}
          />
        </Page>
      );
    case 'contact':
      return (
        <Page>
          <ContactScreen
            referable={referableResults(screening?.results ?? [])}
            consent={screener.consent}
            onSubmit={refer}
            onBack={() => setStage({ kind: 'results' })}
          />
        </Page>
      );
    case 'confirmation':
      return (
        <Page>
          {referral && screening ? (
            <ConfirmationScreen
              referral={referral.response}
              reference={screening.screeningId}
              results={screening?.results ?? []}
              email={referral.email}
              phoneContact={referral.phoneContact}
              onCheckProgress={async () => (await api.getScreening(screening.screeningId, screening.token)).referral?.leads ?? []}
              onErase={erase}
            />
          ) : null}
        </Page>
      );
  }
}

function Page(props: { children: ComponentChildren }) {
  return (
    <>
      <header class="site-header">
        <p class="site-name">Clinical trial pre-screener</p>
      </header>
      <main class="page" id="main">
        {props.children}
      </main>
      <footer class="site-footer">
        <p>This service does not give medical advice. If you feel very unwell, call your local emergency number.</p>
      </footer>
    </>
  );
}

function withAnswer(answers: Answers, questionId: string, value: AnswerValue | undefined): Answers {
  const { [questionId]: _previous, ...rest } = answers;
  return value === undefined ? rest : { ...rest, [questionId]: value };
}

/** Sends the patient back to the question the server found a problem with, or shows the problem. */
function stageForSubmitError(error: unknown, screener: Screener, submitted: Answers): Stage {
  const lastQuestion = Object.keys(submitted).at(-1) ?? screener.questions[0]!.id;
  if (!(error instanceof ApiError))
    return { kind: 'question', questionId: lastQuestion, submitError: 'Something went wrong. Please try again.' };
  const answerDetail = error.details.find((d) => d.path[0] === 'answers' && typeof d.path[1] === 'string');
  const questionId = answerDetail?.path[1];
  if (typeof questionId === 'string' && screener.questions.some((q) => q.id === questionId)) {
    return { kind: 'question', questionId, submitError: answerDetail!.message };
  }
  return { kind: 'question', questionId: lastQuestion, submitError: error.message };
}

function pageTitle(stage: Stage, screener: Screener | undefined, answers: Answers): string {
  switch (stage.kind) {
    case 'question': {
      if (!screener) return 'Question';
      const { position, total } = progressOf(screener, answers, stage.questionId);
      return `Question ${position} of ${total}`;
    }
    case 'urgent_care':
      return 'Get medical help now';
    case 'results':
      return 'Your results';
    case 'contact':
      return 'Ask to be contacted';
    case 'confirmation':
      return 'We are sending your details';
    case 'erase_from_link':
      return 'Erase your data';
    case 'erased':
      return 'Your data has been erased';
    case 'load_failed':
      return 'Something went wrong';
    default:
      return 'Start';
  }
}
