/**
 * Parser for ClinicalTrials.gov API v2 study JSON (`protocolSection`), either one study or the
 * API's `{"studies": [...]}` page.
 */
import type { Site } from '#core/model';
import type { ParsedRecord } from './registry-trial';
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
} from './normalise';

type Json = Record<string, unknown>;

const object = (value: unknown): Json | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const array = (value: unknown, field: string): unknown[] => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new RegistryRecordError(field, 'expected a list');
  return value;
};
const strings = (value: unknown, field: string): string[] =>
  array(value, field)
    .map((v) => cleanText(str(v)))
    .filter((v): v is string => v !== undefined);

function rawContact(value: unknown): RawContact {
  const c = object(value) ?? {};
  return { name: str(c.name), email: str(c.email), phone: str(c.phone), phoneExt: str(c.phoneExt) };
}

/** The studies in a v2 document: a single study or the API's `{"studies": [...]}` page. */
export function studiesOf(document: unknown): unknown[] {
  const root = object(document);
  if (root && Array.isArray(root.studies)) return root.studies;
  if (Array.isArray(document)) return document;
  return [document];
}

/**
 * Parses one v2 study.
 *
 * @param field prefix for error fields when the study sits in a list (`studies[2]`).
 * @throws RegistryRecordError naming the first malformed field.
 */
export function parseCtgovV2Study(study: unknown, field = ''): ParsedRecord {
  const at = (name: string): string => (field ? `${field}.${name}` : name);
  const protocol = object(object(study)?.protocolSection);
  if (!protocol) throw new RegistryRecordError(at('protocolSection'), 'missing: not a ClinicalTrials.gov v2 study');
  const warnings: string[] = [];
  const p = (name: string): string => at(`protocolSection.${name}`);

  const identification = object(protocol.identificationModule) ?? {};
  const nctId = parseNctId(str(identification.nctId), p('identificationModule.nctId'));
  const title = cleanText(str(identification.briefTitle));
  if (!title) throw new RegistryRecordError(p('identificationModule.briefTitle'), 'missing');

  const statusModule = object(protocol.statusModule) ?? {};
  const status = parseStatus(str(statusModule.overallStatus), p('statusModule.overallStatus'));
  const lastUpdate = str(object(statusModule.lastUpdatePostDateStruct)?.date);
  const recordDate = lastUpdate
    ? parseRegistryDate(lastUpdate, p('statusModule.lastUpdatePostDateStruct.date'))
    : parseRegistryDate(
        str(object(object(object(study)?.derivedSection)?.miscInfoModule)?.versionHolder),
        at('derivedSection.miscInfoModule.versionHolder'),
      );

  // v2 field names: https://clinicaltrials.gov/data-api/about-api/study-data-structure
  // (statusModule.statusVerifiedDate is a month, "2020-07"; the *DateStruct fields are
  // {date, type} with type ACTUAL or ESTIMATED).
  const dateStruct = (name: string) => object(statusModule[name]);
  const recordDates = recordDatesFrom({
    lastUpdated: { value: lastUpdate, field: p('statusModule.lastUpdatePostDateStruct.date') },
    verified: { value: str(statusModule.statusVerifiedDate), field: p('statusModule.statusVerifiedDate') },
    start: { value: str(dateStruct('startDateStruct')?.date), field: p('statusModule.startDateStruct.date') },
    primaryCompletion: {
      value: str(dateStruct('primaryCompletionDateStruct')?.date),
      type: str(dateStruct('primaryCompletionDateStruct')?.type),
      field: p('statusModule.primaryCompletionDateStruct'),
    },
    completion: {
      value: str(dateStruct('completionDateStruct')?.date),
      type: str(dateStruct('completionDateStruct')?.type),
      field: p('statusModule.completionDateStruct'),
    },
  });
  const studyType = parseStudyType(str(object(protocol.designModule)?.studyType), p('designModule.studyType'));

  const eligibilityModule = object(protocol.eligibilityModule) ?? {};
  const ages = parseAgeRange(str(eligibilityModule.minimumAge), str(eligibilityModule.maximumAge), {
    min: p('eligibilityModule.minimumAge'),
    max: p('eligibilityModule.maximumAge'),
  });
  const healthy = eligibilityModule.healthyVolunteers;
  if (healthy !== undefined && typeof healthy !== 'boolean') {
    throw new RegistryRecordError(p('eligibilityModule.healthyVolunteers'), 'expected true or false');
  }

  const contacts = object(protocol.contactsLocationsModule) ?? {};
  const centralContact = pickContact(
    array(contacts.centralContacts, p('contactsLocationsModule.centralContacts')).map((c, i) =>
      normaliseContact(rawContact(c), p(`contactsLocationsModule.centralContacts[${i}]`), warnings),
    ),
  );

  const sites: Omit<Site, 'siteId'>[] = array(contacts.locations, p('contactsLocationsModule.locations')).map((value, index) => {
    const f = p(`contactsLocationsModule.locations[${index}]`);
    const location = object(value) ?? {};
    const country = cleanText(str(location.country));
    if (!country) throw new RegistryRecordError(`${f}.country`, 'missing');
    const siteStatus = str(location.status);
    const geoPoint = object(location.geoPoint);
    let geo: { lat: number; lon: number } | undefined;
    if (geoPoint) {
      const { lat, lon } = geoPoint;
      if (typeof lat !== 'number' || typeof lon !== 'number' || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        throw new RegistryRecordError(`${f}.geoPoint`, 'expected numeric lat (-90..90) and lon (-180..180)');
      }
      geo = { lat, lon };
    }
    const contact = pickContact(
      array(location.contacts, `${f}.contacts`).map((c, i) => normaliseContact(rawContact(c), `${f}.contacts[${i}]`, warnings)),
    );
    return {
      ...siteAddress({
        facility: str(location.facility),
        city: str(location.city),
        state: str(location.state),
        zip: str(location.zip),
      }),
      country,
      // A location without its own status follows the trial's.
      status: siteStatus ? parseStatus(siteStatus, `${f}.status`) : status,
      ...(geo && { geo }),
      ...(contact && { contact }),
    };
  });

  const conditionsModule = object(protocol.conditionsModule) ?? {};
  const officialTitle = cleanText(str(identification.officialTitle));
  const phase = formatPhase(strings(object(protocol.designModule)?.phases, p('designModule.phases')));
  return {
    trial: {
      nctId,
      title,
      ...(officialTitle && { officialTitle }),
      summary: summaryText(str(object(protocol.descriptionModule)?.briefSummary)) || title,
      conditions: strings(conditionsModule.conditions, p('conditionsModule.conditions')),
      keywords: strings(conditionsModule.keywords, p('conditionsModule.keywords')),
      status,
      ...(phase && { phase }),
      eligibility: {
        ...ages,
        sex: parseSex(str(eligibilityModule.sex), p('eligibilityModule.sex')),
        healthyVolunteers: healthy === true,
      },
      eligibilityText: verbatimText(str(eligibilityModule.eligibilityCriteria)),
      sites: assignSiteIds(sites),
      ...(centralContact && { centralContact }),
      recordDate,
      recordDates,
      ...(studyType && { studyType }),
      source: { format: 'ctgov-v2-json', file: '' },
    },
    warnings,
  };
}
