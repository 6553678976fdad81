import { describe, expect, it } from '@jest/globals';
import { boundErrorDetails, MAX_ERROR_DETAILS } from '#core/errors';
import { isSafeText } from '#core/text-safety';

describe('isSafeText', () => {
  it.each([
    ['a plain name', 'Pat Example'],
    ['accents and apostrophes', "Zoë O'Brien-Núñez"],
    ['a non-Latin script', 'Ølberg 佐藤 Иванов'],
    ['a Persian name with a zero-width non-joiner', 'می\u200Cخواهم'],
    ['an emoji with a zero-width joiner', 'Sam 👩\u200D💻'],
  ])('accepts %s', (_label, text) => {
    expect(isSafeText(text)).toBe(true);
  });

  it.each([
    ['a lone high surrogate (the SDK throws URIError at send time)', 'Pat \uD83D'],
    ['a lone low surrogate', '\uDC00Pat'],
    ['a right-to-left override', 'Pat \u202Egnp.exe'],
    ['a bidi isolate', 'Pat \u2066x\u2069'],
    ['a line break', 'Pat\nBcc: x@example.org'],
    ['a NUL', 'Pat\u0000'],
    ['a C1 control', 'Pat\u0085'],
    ['a line separator', 'Pat\u2028Example'],
    ['a byte-order mark', '\uFEFFPat'],
  ])('refuses %s', (_label, text) => {
    expect(isSafeText(text)).toBe(false);
  });
});

describe('boundErrorDetails', () => {
  it('keeps plain field paths and messages as they are', () => {
    expect(boundErrorDetails([{ path: ['contact', 'email'], message: 'Invalid email address' }])).toEqual([
      { path: ['contact', 'email'], message: 'Invalid email address' },
    ]);
  });

  it('never echoes a path segment that is not a plain field name', () => {
    const [detail] = boundErrorDetails([{ path: ['answers', '<img src=x onerror=alert(1)>', 3], message: 'm' }])!;

    expect(detail).toEqual({ path: ['answers', '(field)', 3], message: 'm' });
  });

  it('lists at most a fixed number of details and says how many more there were', () => {
    const details = Array.from({ length: 100 }, (_, index) => ({ path: ['f'], message: `problem ${index}` }));

    const bounded = boundErrorDetails(details)!;

    expect(bounded).toHaveLength(MAX_ERROR_DETAILS + 1);
    expect(bounded.at(-1)).toEqual({ path: [], message: '80 more problems not listed.' });
  });

  it('shortens long messages and deep paths', () => {
    const [detail] = boundErrorDetails([{ path: Array.from({ length: 30 }, () => 'a'), message: 'y'.repeat(1000) }])!;

    expect(detail!.path).toHaveLength(8);
    expect(detail!.message.length).toBeLessThanOrEqual(200);
  });
});
