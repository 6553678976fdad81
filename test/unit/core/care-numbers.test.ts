import { describe, expect, it } from '@jest/globals';
import careNumbersDocument from '../../../data/care-numbers.json' with { type: 'json' };
import { careNumbersFor, describeEmergencyNumbers } from '#core/care-numbers';

describe('careNumbersFor', () => {
  it.each([
    ['us', ['911'], undefined],
    ['ca', ['911'], '811'],
    ['gb', ['999'], '111'],
    ['ie', ['112', '999'], undefined],
    ['no', ['113'], '116 117'],
    ['se', ['112'], '1177'],
    ['dk', ['112'], '1813'],
    ['nl', ['112'], undefined],
    ['be', ['112'], '1733'],
    ['fr', ['15', '112'], '116 117'],
    ['de', ['112'], '116 117'],
  ])('gives %s the emergency numbers %j and the urgent number %s', (country, emergency, urgent) => {
    const numbers = careNumbersFor(country);
    expect(numbers.emergency.map((phone) => phone.number)).toEqual(emergency);
    expect(numbers.urgent?.number).toBe(urgent);
  });

  it('dials a number without its spaces', () => {
    expect(careNumbersFor('no').urgent).toMatchObject({ number: '116 117', dial: '116117' });
  });

  it('says so where a country has no national urgent line, as in the United States', () => {
    expect(careNumbersFor('us').urgentText).toMatch(/no national nurse line/);
  });

  it.each([['other'], ['xx'], [undefined], ['not_sure'], ['constructor']])('gives %s "your local emergency number"', (answer) => {
    const numbers = careNumbersFor(answer);
    expect(numbers.country).toBe('other');
    expect(describeEmergencyNumbers(numbers)).toBe('your local emergency number');
  });

  it.each(Object.entries(careNumbersDocument.countries).filter(([country]) => country !== 'other'))(
    'cites the sources of the numbers for %s',
    (_country, entry) => {
      expect(entry.sources.length).toBeGreaterThan(0);
      for (const source of entry.sources) expect(source.url).toMatch(/^https?:\/\//);
    },
  );
});
