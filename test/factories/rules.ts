/**
 * fast-check arbitraries for screening rules and answers, typed by the real screener's questions
 * (booleans compared with booleans, option values with their question, numbers with numbers), the
 * way authored criteria and `showIf` conditions are written.
 */
import fc from 'fast-check';
import type { Answers, AnswerValue, Question, Screener } from '#core/model';

const variable = (question: Question) => ({ var: question.id });

function optionValues(question: Question): string[] {
  return (question.options ?? []).map((option) => option.value);
}

function numberIn(question: Question): fc.Arbitrary<number> {
  return fc.integer({ min: question.min ?? 0, max: Math.min(question.max ?? 200, 200) });
}

/** A comparison or membership test that reads one question. */
function leafRule(question: Question): fc.Arbitrary<unknown> {
  const v = variable(question);
  switch (question.type) {
    case 'boolean':
      return fc.oneof(
        fc
          .record({ op: fc.constantFrom('==', '!=', '===', '!=='), value: fc.boolean() })
          .map(({ op, value }) => ({ [op]: [v, value] })),
        fc.constantFrom({ '!': v }, { '!!': [v] }, v),
      );
    case 'single':
    case 'multi': {
      const values = optionValues(question);
      if (question.type === 'multi') {
        return fc.oneof(
          fc.constantFrom(...values).map((value) => ({ in: [value, v] })),
          fc.constant({ '!': v }),
        );
      }
      return fc.oneof(
        fc
          .record({ op: fc.constantFrom('==', '!=', '===', '!=='), value: fc.constantFrom(...values) })
          .map(({ op, value }) => ({ [op]: [v, value] })),
        fc.subarray(values, { minLength: 1 }).map((subset) => ({ in: [v, subset] })),
      );
    }
    case 'number':
      return fc.oneof(
        fc
          .record({ op: fc.constantFrom('<', '<=', '>', '>=', '==', '!='), value: numberIn(question) })
          .map(({ op, value }) => ({ [op]: [v, value] })),
        fc
          .record({ op: fc.constantFrom('<', '<='), low: numberIn(question), high: numberIn(question) })
          .map(({ op, low, high }) => ({ [op]: [low, v, high] })),
      );
    case 'duration':
      return fc
        .record({ op: fc.constantFrom('<', '<=', '>', '>=', '==', '!='), value: numberIn(question) })
        .map(({ op, value }) => ({ [op]: [v, value] }));
    case 'date':
    case 'postal_code':
      return fc.constant({ '!!': v });
  }
}

/** A rule over the screener's questions: leaves combined with and, or, !, !! and if. */
export function aRuleFor(screener: Screener): fc.Arbitrary<unknown> {
  const leaf = fc.constantFrom(...screener.questions).chain(leafRule);
  const { rule } = fc.letrec<{ rule: unknown }>((tie) => ({
    rule: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('rule'), { minLength: 1, maxLength: 4 }).map((args) => ({ and: args })),
      fc.array(tie('rule'), { minLength: 1, maxLength: 4 }).map((args) => ({ or: args })),
      tie('rule').map((arg) => ({ '!': [arg] })),
      tie('rule').map((arg) => ({ '!!': arg })),
      fc.tuple(tie('rule'), tie('rule'), tie('rule')).map((args) => ({ if: args })),
    ),
  }));
  return rule;
}

/** Any valid value for a question, ignoring branching (rules must cope with any combination). */
export function anAnswerTo(question: Question): fc.Arbitrary<AnswerValue> {
  switch (question.type) {
    case 'boolean':
      return fc.boolean();
    case 'single':
      return fc.constantFrom(...optionValues(question));
    case 'multi':
      return fc.subarray(optionValues(question), { minLength: 1 });
    case 'number':
      return numberIn(question);
    case 'duration':
      return aDuration();
    case 'date':
      return fc.constantFrom('2020-01-01', '2024-02-29');
    case 'postal_code':
      return fc.constantFrom('21205', 'SW1A 1AA');
  }
}

/** A duration answer in any unit: `P3M`, `P10D`. */
export function aDuration(): fc.Arbitrary<string> {
  return fc
    .record({ amount: fc.integer({ min: 0, max: 60 }), unit: fc.constantFrom('D', 'W', 'M', 'Y') })
    .map(({ amount, unit }) => `P${unit === 'Y' ? Math.min(amount, 99) : amount}${unit}`);
}

/** A value for every question of the screener. */
export function completeAnswersFor(screener: Screener): fc.Arbitrary<Answers> {
  return fc.record(Object.fromEntries(screener.questions.map((question) => [question.id, anAnswerTo(question)])));
}

/** Answers to some of the screener's questions, the rest left unanswered. */
export function partialAnswersFor(screener: Screener): fc.Arbitrary<Answers> {
  return fc.record(Object.fromEntries(screener.questions.map((question) => [question.id, anAnswerTo(question)])), {
    requiredKeys: [],
  }) as fc.Arbitrary<Answers>; // optional keys are absent, never present as undefined
}
