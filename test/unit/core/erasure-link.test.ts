import { describe, expect, it } from '@jest/globals';
import { erasureLinkUrl, parseErasureFragment } from '#core/erasure-link';

const LINK = { screeningId: '0b6f3c1e-2a4d-4c55-9b8e-0f1a2b3c4d5e', token: 'Q2xlYXJseS1hLXRva2VuXw' };

describe('erasureLinkUrl', () => {
  it('puts the screening id and token in the fragment of the public app URL', () => {
    const url = new URL(erasureLinkUrl('https://screener.example/app/', LINK));

    expect(url.hash).toBe(`#erase=${LINK.screeningId}.${LINK.token}`);
  });

  it('keeps the path and query of the public app URL free of the token', () => {
    const url = new URL(erasureLinkUrl('https://screener.example/app/?screener=lower-back-pain', LINK));

    expect(`${url.origin}${url.pathname}${url.search}`).toBe('https://screener.example/app/?screener=lower-back-pain');
  });
});

describe('parseErasureFragment', () => {
  it('reads back the screening id and token the link was made with', () => {
    const fragment = new URL(erasureLinkUrl('https://screener.example/', LINK)).hash;

    expect(parseErasureFragment(fragment)).toEqual(LINK);
  });

  it('accepts the fragment without its leading #', () => {
    expect(parseErasureFragment(`erase=${LINK.screeningId}.${LINK.token}`)).toEqual(LINK);
  });

  it('ignores a fragment that is not an erasure link', () => {
    expect(parseErasureFragment('#main')).toBeUndefined();
  });

  it('refuses a link without a token', () => {
    expect(parseErasureFragment(`#erase=${LINK.screeningId}`)).toBeUndefined();
  });

  it('refuses a link whose parts contain characters an id or token never has', () => {
    expect(parseErasureFragment(`#erase=${LINK.screeningId}.<script>`)).toBeUndefined();
    expect(parseErasureFragment(`#erase=../x.${LINK.token}`)).toBeUndefined();
  });
});
