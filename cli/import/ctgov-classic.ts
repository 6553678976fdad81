/**
 * Parser for the registry's classic XML record (`<clinical_study>`, the legacy download format).
 * It has no coordinates; the importer geocodes sites from their postal code afterwards.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Site } from '#core/model';
import type { ParsedRecord } from '#adapters/registry/registry-trial';
import {
  assignSiteIds,
  cleanText,
  formatPhase,
  normaliseContact,
  parseAgeRange,
  parseNctId,
  parseRegistryDate,
  parseSex,
  parseStatus,
  pickContact,
  parseStudyType,
  recordDatesFrom,
  RegistryRecordError,
  siteAddress,
  summaryText,
  verbatimText,
  type RawContact,
} from '#adapters/registry/normalise';

// Elements that may repeat; everything else is read as a single value.
const REPEATED = new Set([
  'clinical_study.condition',
  'clinical_study.keyword',
  'clinical_study.location',
  'clinical_study.location.contact',
  'clinical_study.location.contact_backup',
  'clinical_study.phase',
]);

const parser = new XMLParser({
  // Attributes are read for the date types only (`<primary_completion_date type="Anticipated">`);
  // an element with attributes becomes {"#text", "@_type"}, which `text()` reads.
  ignoreAttributes: false,
  // Keep every value a string: ZIP codes like "02214" must not become numbers.
  parseTagValue: false,
  trimValues: true,
  // Older downloads encode line ends as &#xD; and accents as numeric references.
  htmlEntities: true,
  isArray: (_name, jpath) => REPEATED.has(String(jpath)),
});

type XmlNode = Record<string, unknown>;

const text = (node: unknown): string | undefined => {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object' && '#text' in node) return text((node as XmlNode)['#text']);
  if (node && typeof node === 'object' && 'textblock' in node) return text((node as XmlNode).textblock);
  return undefined;
};
const attribute = (node: unknown, name: string): string | undefined => {
  const value = node && typeof node === 'object' ? (node as XmlNode)[`@_${name}`] : undefined;
  return typeof value === 'string' ? value : undefined;
};
const child = (node: unknown, key: string): XmlNode | undefined => {
  const value = node && typeof node === 'object' ? (node as XmlNode)[key] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : undefined;
};
const list = (node: unknown, key: string): unknown[] => {
  const value = node && typeof node === 'object' ? (node as XmlNode)[key] : undefined;
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
};
const strings = (node: unknown, key: string): string[] =>
  list(node, key)
    .map((v) => cleanText(text(v)))
    .filter((v): v is string => v !== undefined);

function rawContact(node: unknown): RawContact {
  const c = (node ?? {}) as XmlNode;
  const nameParts = [text(c.first_name), text(c.middle_name), text(c.last_name)].map(cleanText).filter(Boolean);
  const degrees = cleanText(text(c.degrees));
  return {
    name: nameParts.length > 0 ? `${nameParts.join(' ')}${degrees ? `, ${degrees}` : ''}` : undefined,
    email: text(c.email),
    phone: text(c.phone),
    phoneExt: text(c.phone_ext),
  };
}

/**
 * Parses one classic XML record.
 *
 * @throws RegistryRecordError naming the first malformed field.
 */
export function parseCtgovClassic(xml: string): ParsedRecord {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new RegistryRecordError(`line ${valid.err.line}`, `not well-formed XML: ${valid.err.msg}`);
  }
  const study = child(parser.parse(xml), 'clinical_study');
  if (!study) throw new RegistryRecordError('clinical_study', 'missing: not a ClinicalTrials.gov classic record');
  const warnings: string[] = [];

  const nctId = parseNctId(text(child(study, 'id_info')?.nct_id), 'id_info.nct_id');
  const title = cleanText(text(study.brief_title));
  if (!title) throw new RegistryRecordError('brief_title', 'missing');
  const status = parseStatus(text(study.overall_status), 'overall_status');

  const eligibility = child(study, 'eligibility');
  const ages = parseAgeRange(text(eligibility?.minimum_age), text(eligibility?.maximum_age), {
    min: 'eligibility.minimum_age',
    max: 'eligibility.maximum_age',
  });
  const healthy = cleanText(text(eligibility?.healthy_volunteers))?.toLowerCase() ?? 'no';
  if (!['no', 'yes', 'accepts healthy volunteers'].includes(healthy)) {
    throw new RegistryRecordError('eligibility.healthy_volunteers', `unknown value "${healthy}"`);
  }

  const centralContact = pickContact([
    normaliseContact(rawContact(study.overall_contact), 'overall_contact', warnings),
    normaliseContact(rawContact(study.overall_contact_backup), 'overall_contact_backup', warnings),
  ]);

  const sites: Omit<Site, 'siteId'>[] = list(study, 'location').map((location, index) => {
    const field = `location[${index}]`;
    const facility = child(location, 'facility');
    const address = child(facility, 'address');
    const country = cleanText(text(address?.country));
    if (!country) throw new RegistryRecordError(`${field}.facility.address.country`, 'missing');
    const siteStatus = text((location as XmlNode).status);
    const contact = pickContact([
      ...list(location, 'contact').map((c, i) => normaliseContact(rawContact(c), `${field}.contact[${i}]`, warnings)),
      ...list(location, 'contact_backup').map((c, i) =>
        normaliseContact(rawContact(c), `${field}.contact_backup[${i}]`, warnings),
      ),
    ]);
    return {
      ...siteAddress({
        facility: text(facility?.name),
        city: text(address?.city),
        state: text(address?.state),
        zip: text(address?.zip),
      }),
      country,
      // A location without its own status follows the trial's.
      status: siteStatus ? parseStatus(siteStatus, `${field}.status`) : status,
      ...(contact && { contact }),
    };
  });

  const downloadDate = /on (.+)$/.exec(text(child(study, 'required_header')?.download_date) ?? '')?.[1];
  const lastUpdate = text(study.last_update_posted);
  const recordDate = lastUpdate
    ? parseRegistryDate(lastUpdate, 'last_update_posted')
    : parseRegistryDate(downloadDate, 'required_header.download_date');

  const typed = (name: string) => ({ value: text(study[name]), type: attribute(study[name], 'type'), field: name });
  const recordDates = recordDatesFrom({
    lastUpdated: { value: lastUpdate, field: 'last_update_posted' },
    verified: { value: text(study.verification_date), field: 'verification_date' },
    start: { value: text(study.start_date), field: 'start_date' },
    primaryCompletion: typed('primary_completion_date'),
    completion: typed('completion_date'),
  });
  const studyType = parseStudyType(text(study.study_type), 'study_type');

  const officialTitle = cleanText(text(study.official_title));
  const phase = formatPhase(strings(study, 'phase'));
  return {
    trial: {
      nctId,
      title,
      ...(officialTitle && { officialTitle }),
      summary: summaryText(text(study.brief_summary)) || title,
      conditions: strings(study, 'condition'),
      keywords: strings(study, 'keyword'),
      status,
      ...(phase && { phase }),
      eligibility: {
        ...ages,
        sex: parseSex(text(eligibility?.gender), 'eligibility.gender'),
        healthyVolunteers: healthy !== 'no',
      },
      eligibilityText: verbatimText(text(child(eligibility, 'criteria'))),
      sites: assignSiteIds(sites),
      ...(centralContact && { centralContact }),
      recordDate,
      recordDates,
      ...(studyType && { studyType }),
      source: { format: 'ctgov-classic-xml', file: '' },
    },
    warnings,
  };
}
