/** One question per screen: a fieldset of big option rows, or a single labelled input. */
import type { AnswerValue, Question } from '#core/model';
import { useState } from 'preact/hooks';
import {
  checkAnswer,
  choiceOptions,
  DEFAULT_DURATION_UNIT,
  draftFromAnswer,
  DURATION_CHOICES,
  toggleOption,
  type AnswerDraft,
} from '../flow';
import { ErrorText, ScreenAlert, ScreenHeading, describedBy } from '../ui';

export interface QuestionScreenProps {
  question: Question;
  answer: AnswerValue | undefined;
  position: number;
  total: number;
  isFirst: boolean;
  isLast: boolean;
  busy: boolean;
  /** A problem with sending the answers (shown on the last question). */
  submitError?: string;
  onAnswer: (value: AnswerValue | undefined) => void;
  onBack: (value: AnswerValue | undefined) => void;
  onStartOver: () => void;
}

export function QuestionScreen(props: QuestionScreenProps) {
  const { question } = props;
  const [draft, setDraft] = useState<AnswerDraft>(() => draftFromAnswer(question, props.answer));
  const [error, setError] = useState<string | undefined>();
  const inputId = `q-${question.id}`;
  const helpId = question.help ? `${inputId}-help` : undefined;
  const errorId = `${inputId}-error`;

  const next = (event: Event) => {
    event.preventDefault();
    if (props.busy) return;
    const check = checkAnswer(question, draft);
    if (!check.ok) {
      setError(check.message);
      return;
    }
    setError(undefined);
    props.onAnswer(check.value);
  };

  const skip = () => {
    setDraft(question.type === 'multi' ? [] : undefined);
    setError(undefined);
    props.onAnswer(undefined);
  };

  const back = () => {
    // Keep what was entered on this screen if it is a valid answer; otherwise keep the old one.
    const check = checkAnswer(question, draft);
    props.onBack(check.ok ? check.value : props.answer);
  };

  const change = (value: AnswerDraft) => {
    setDraft(value);
    if (error) setError(undefined);
  };

  const choice = question.type === 'boolean' || question.type === 'single' || question.type === 'multi';

  return (
    <form class="question" onSubmit={next} noValidate>
      <div class="progress">
        <p id="progress-label" class="progress-label">
          Question {props.position} of {props.total}
        </p>
        <progress aria-labelledby="progress-label" max={props.total} value={props.position} />
      </div>
      {choice ? (
        <fieldset class="choices" aria-describedby={describedBy(helpId)} aria-invalid={error ? true : undefined}>
          <legend>
            <ScreenHeading>{question.label}</ScreenHeading>
          </legend>
          {question.help ? (
            <p class="help" id={helpId}>
              {question.help}
            </p>
          ) : null}
          <ErrorText id={errorId} message={error} />
          <ChoiceOptions question={question} draft={draft} onChange={change} errorId={error ? errorId : undefined} />
        </fieldset>
      ) : (
        <div class="field">
          <ScreenHeading>
            <label for={inputId}>{question.label}</label>
          </ScreenHeading>
          {question.help ? (
            <p class="help" id={helpId}>
              {question.help}
            </p>
          ) : null}
          <ErrorText id={errorId} message={error} />
          {question.type === 'duration' ? (
            <DurationAnswer
              question={question}
              id={inputId}
              draft={Array.isArray(draft) ? draft : ['', DEFAULT_DURATION_UNIT]}
              describedBy={describedBy(helpId, error ? errorId : undefined)}
              invalid={!!error}
              onChange={change}
            />
          ) : (
            <TextAnswer
              question={question}
              id={inputId}
              value={typeof draft === 'string' ? draft : ''}
              describedBy={describedBy(helpId, error ? errorId : undefined)}
              invalid={!!error}
              onChange={change}
            />
          )}
        </div>
      )}
      <ScreenAlert message={props.submitError} />
      <div class="actions">
        <button type="submit" class="button primary" disabled={props.busy} aria-disabled={props.busy || undefined}>
          {props.busy ? 'Checking studies…' : props.isLast ? 'See my results' : 'Next'}
        </button>
        {question.required ? null : (
          <button type="button" class="button secondary" onClick={skip} disabled={props.busy}>
            Skip this question
          </button>
        )}
        {props.isFirst ? (
          <button type="button" class="button link" onClick={props.onStartOver}>
            Back to the start
          </button>
        ) : (
          <button type="button" class="button link" onClick={back} disabled={props.busy}>
            Back
          </button>
        )}
      </div>
    </form>
  );
}

function ChoiceOptions(props: {
  question: Question;
  draft: AnswerDraft;
  errorId: string | undefined;
  onChange: (draft: AnswerDraft) => void;
}) {
  const { question, draft } = props;
  const options = choiceOptions(question);
  const multi = question.type === 'multi';
  const selected = Array.isArray(draft) ? draft : [];
  return (
    <div class="options">
      {options.map((option) => {
        const id = `q-${question.id}-${option.value}`;
        const checked = multi ? selected.includes(option.value) : draft === option.value;
        return (
          <label class={`option${checked ? ' checked' : ''}`} for={id} key={option.value}>
            <input
              id={id}
              type={multi ? 'checkbox' : 'radio'}
              name={question.id}
              value={option.value}
              checked={checked}
              aria-describedby={props.errorId}
              onChange={() => props.onChange(multi ? toggleOption(question, selected, option.value) : option.value)}
            />
            <span class="option-label">{option.label}</span>
          </label>
        );
      })}
    </div>
  );
}

/** A duration: a whole number and the patient's own unit (days, weeks, months or years). */
function DurationAnswer(props: {
  question: Question;
  id: string;
  draft: string[];
  describedBy: string | undefined;
  invalid: boolean;
  onChange: (draft: AnswerDraft) => void;
}) {
  const [amount = '', unit = DEFAULT_DURATION_UNIT] = props.draft;
  const unitId = `${props.id}-unit`;
  return (
    <div class="number-field duration-field">
      <input
        class="input input-number"
        type="text"
        inputMode="numeric"
        pattern="[0-9]*"
        autocomplete="off"
        maxLength={4}
        id={props.id}
        name={props.question.id}
        value={amount}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        onInput={(event: Event) => props.onChange([(event.currentTarget as HTMLInputElement).value, unit])}
      />
      <label class="visually-hidden" for={unitId}>
        Unit of time
      </label>
      <select
        class="input input-unit"
        id={unitId}
        name={`${props.question.id}-unit`}
        value={unit}
        onChange={(event: Event) => props.onChange([amount, (event.currentTarget as HTMLSelectElement).value])}
      >
        {DURATION_CHOICES.map((choice) => (
          <option key={choice.unit} value={choice.unit}>
            {choice.label}
          </option>
        ))}
      </select>
    </div>
  );
}

function TextAnswer(props: {
  question: Question;
  id: string;
  value: string;
  describedBy: string | undefined;
  invalid: boolean;
  onChange: (draft: AnswerDraft) => void;
}) {
  const { question } = props;
  const common = {
    id: props.id,
    name: question.id,
    value: props.value,
    'aria-describedby': props.describedBy,
    'aria-invalid': props.invalid || undefined,
    onInput: (event: Event) => props.onChange((event.currentTarget as HTMLInputElement).value),
  };
  if (question.type === 'date') return <input class="input" type="date" {...common} />;
  if (question.type === 'postal_code') {
    return (
      <input class="input input-short" type="text" autocomplete="postal-code" spellcheck={false} maxLength={12} {...common} />
    );
  }
  return (
    <div class="number-field">
      <input
        class="input input-number"
        type="text"
        inputMode="numeric"
        pattern="[0-9]*"
        autocomplete="off"
        maxLength={6}
        {...common}
      />
      {question.unit ? <span class="unit">{question.unit}</span> : null}
    </div>
  );
}
