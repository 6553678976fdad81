/**
 * The mapping of real ClinicalTrials.gov records (copied into test/fixtures/ctgov/) to the
 * catalog's normalised trial: ages, sex, status, contacts and their fallback, geo points, dates.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseRegistryFile } from '#cli/import/import-trials';
import { parseAgeYears, RegistryRecordError } from '#adapters/registry/normalise';
import type { ParsedRecord } from '#adapters/registry/registry-trial';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/ctgov/${name}`, import.meta.url), 'utf8');

/** The single trial parsed from a record's text (optionally edited first), or the error. */
function parse(content: string): ParsedRecord['trial'] {
  const [result] = parseRegistryFile(content);
  if (result instanceof RegistryRecordError) throw result;
  return result!.trial;
}
function parseError(content: string): string {
  const [result] = parseRegistryFile(content);
  if (!(result instanceof RegistryRecordError)) throw new Error('expected the record to fail');
  return result.message;
}

describe('ages', () => {
  it('reads a classic minimum age in years and "N/A" as no maximum', () => {
    const trial = parse(fixture('NCT03589703.xml'));

    expect(trial.eligibility).toMatchObject({ minAgeYears: 65, maxAgeYears: null });
  });

  it('reads both bounds when the record gives both', () => {
    expect(parse(fixture('NCT00005771.xml')).eligibility).toMatchObject({ minAgeYears: 18, maxAgeYears: 60 });
  });

  it('reads v2 ages from a studies page', () => {
    expect(parse(fixture('NCT03281889.json')).eligibility).toMatchObject({ minAgeYears: 3, maxAgeYears: 18 });
  });

  it('treats an absent v2 maximum age as no bound', () => {
    expect(parse(fixture('NCT02552212.json')).eligibility).toMatchObject({ minAgeYears: 18, maxAgeYears: null });
  });

  it.each([
    ['6 Months', 0.5],
    ['26 Weeks', 0.4983],
    ['1 Day', 0.0027],
    ['48 Hours', 0.0055],
    ['1 Year', 1],
  ])('converts "%s" to %d years', (text, years) => {
    expect(parseAgeYears(text, 'minimum_age')).toBe(years);
  });

  it('rejects a maximum age below the minimum, naming the field', () => {
    const record = fixture('NCT00005771.xml').replace('<maximum_age>60 Years', '<maximum_age>16 Years');

    expect(parseError(record)).toMatch(/^eligibility\.maximum_age: .*below the minimum/);
  });

  it('rejects an age without a unit, naming the field', () => {
    const record = fixture('NCT03589703.xml').replace('<minimum_age>65 Years', '<minimum_age>sixty-five');

    expect(parseError(record)).toMatch(/^eligibility\.minimum_age: "sixty-five" is not an age/);
  });
});

describe('sex and healthy volunteers', () => {
  it('maps a classic "All" to ALL', () => {
    expect(parse(fixture('NCT03589703.xml')).eligibility.sex).toBe('ALL');
  });

  it('maps a classic "Female" to FEMALE', () => {
    const record = fixture('NCT03589703.xml').replace('<gender>All</gender>', '<gender>Female</gender>');

    expect(parse(record).eligibility.sex).toBe('FEMALE');
  });

  it('maps a v2 "MALE" to MALE', () => {
    const record = fixture('NCT02552212.json').replace('"sex": "ALL"', '"sex": "MALE"');

    expect(parse(record).eligibility.sex).toBe('MALE');
  });

  it('reads "Accepts Healthy Volunteers" as accepting them', () => {
    expect(parse(fixture('NCT00005771.xml')).eligibility.healthyVolunteers).toBe(true);
  });

  it('reads "No" as not accepting healthy volunteers', () => {
    expect(parse(fixture('NCT03589703.xml')).eligibility.healthyVolunteers).toBe(false);
  });
});

describe('status', () => {
  it.each([
    ['NCT03589703.xml', 'RECRUITING'],
    ['NCT00005771.xml', 'UNKNOWN'],
    ['NCT00000408.xml', 'COMPLETED'],
    ['NCT02552212.json', 'COMPLETED'],
    ['NCT06171568.json', 'NOT_YET_RECRUITING'],
  ])('maps the overall status of %s to %s', (file, status) => {
    expect(parse(fixture(file)).status).toBe(status);
  });

  it('keeps a site status that differs from the trial status', () => {
    const stockholm = parse(fixture('NCT03507049.xml')).sites.find((s) => s.city === 'Stockholm');

    expect(stockholm?.status).toBe('ACTIVE_NOT_RECRUITING');
  });

  it("gives a site without its own status the trial's status", () => {
    expect(parse(fixture('NCT06171568.json')).sites[0]?.status).toBe('NOT_YET_RECRUITING');
  });

  it('rejects an unknown status, naming the field', () => {
    const record = fixture('NCT03589703.xml').replace('<overall_status>Recruiting', '<overall_status>Open');

    expect(parseError(record)).toBe('overall_status: unknown status "Open"');
  });
});

describe('contacts', () => {
  it("keeps the overall contact as the trial's central contact, the fallback for sites without one", () => {
    const trial = parse(fixture('NCT03589703.xml'));

    expect(trial.sites.every((site) => site.contact === undefined)).toBe(true);
    expect(trial.centralContact).toEqual({ name: 'Chao Hsing Yeh, PhD', email: 'cyeh13@jhu.edu', phone: '4126239168' });
  });

  it('falls back to the backup overall contact when the first has no email', () => {
    const record = fixture('NCT03589703.xml').replace('<email>cyeh13@jhu.edu</email>', '');

    expect(parse(record).centralContact?.email).toBe('akrish19@jhu.edu');
  });

  it("keeps a site's own contact", () => {
    const trial = parse(fixture('NCT03864224.xml'));

    expect(trial.sites[0]?.contact?.email).toBeDefined();
  });

  it('uses the first address when a field lists several', () => {
    const oslo = parse(fixture('NCT03507049.xml')).sites.find((s) => s.city === 'Oslo');

    expect(oslo?.contact?.email).toBe('engelker@gmail.com');
  });

  it('puts a country code given as a phone extension in front of the number', () => {
    expect(parse(fixture('NCT06171568.json')).centralContact?.phone).toBe('+33 01.49.95.81.69');
  });

  it('drops a contact that gives no way to reach anyone', () => {
    // NCT03281889 lists the principal investigator by name only, after the real contact.
    const boston = parse(fixture('NCT03281889.json')).sites[0];

    expect(boston?.contact).toEqual({
      name: 'Shannon MacDonald, MD',
      email: 'smacdonald@mgh.harvard.edu',
      phone: '617-643-7250',
    });
  });
});

describe('sites and geo points', () => {
  it("keeps a v2 location's geo point", () => {
    const birmingham = parse(fixture('NCT02552212.json')).sites[0];

    expect(birmingham?.geo).toEqual({ lat: 33.52066, lon: -86.80249 });
  });

  it('keeps a ZIP code with its leading zero', () => {
    expect(parse(fixture('NCT03281889.json')).sites[0]?.postalCode).toBe('02214');
  });

  it('gives a location repeated in the record its own site id', () => {
    const [first, second] = parse(fixture('NCT03589703.xml')).sites;

    expect(first?.siteId).not.toBe(second?.siteId);
    expect(second?.siteId.startsWith(first!.siteId)).toBe(true);
  });

  it('derives the same site ids on every import', () => {
    const ids = () => parse(fixture('NCT02552212.json')).sites.map((s) => s.siteId);

    expect(ids()).toEqual(ids());
  });
});

describe('text and dates', () => {
  it("keeps the record's last update as the record date", () => {
    expect(parse(fixture('NCT03589703.xml')).recordDate).toBe('2020-03-11');
  });

  it('falls back to the download date when a classic record has no last update', () => {
    const record = fixture('NCT03589703.xml').replace(/<last_update_posted[^<]*<\/last_update_posted>/, '');

    expect(parse(record).recordDate).toBe('2020-07-28');
  });

  it("keeps a v2 record's last update post date", () => {
    expect(parse(fixture('NCT02552212.json')).recordDate).toBe('2022-08-18');
  });

  it('keeps the eligibility text verbatim without XML indentation or encoded line ends', () => {
    const text = parse(fixture('NCT00000408.xml')).eligibilityText;

    expect(text).toMatch(/^Inclusion Criteria:\n\n {2}- {2}Must live in the United States\n/);
    expect(text).not.toContain('&#');
  });

  it('formats a combined phase', () => {
    const record = fixture('NCT03589703.xml').replace('<phase>N/A</phase>', '<phase>Phase 1/Phase 2</phase>');

    expect(parse(record).phase).toBe('Phase 1/Phase 2');
  });

  it('leaves out the phase "N/A"', () => {
    expect(parse(fixture('NCT03589703.xml')).phase).toBeUndefined();
  });
});

describe('malformed records', () => {
  it('names the missing NCT id', () => {
    const record = fixture('NCT03589703.xml').replace('<nct_id>NCT03589703</nct_id>', '');

    expect(parseError(record)).toBe('id_info.nct_id: missing');
  });

  it('names the line of broken XML', () => {
    const record = fixture('NCT03589703.xml').replace('</brief_title>', '</brief_titel>');

    expect(parseError(record)).toMatch(/^line \d+: not well-formed XML/);
  });

  it('names the field of a v2 study in a studies page', () => {
    const record = fixture('NCT03281889.json').replace('"overallStatus": "RECRUITING"', '"overallStatus": 7');

    expect(parseError(record)).toBe('studies[0].protocolSection.statusModule.overallStatus: missing');
  });

  it('rejects a file that is neither XML nor JSON', () => {
    expect(parseError('Study NCT03589703, recruiting')).toMatch(/^\(file\): neither XML nor valid JSON/);
  });
});
