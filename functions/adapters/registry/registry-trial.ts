/** What a registry parser produces: a normalised trial before catalog-specific fields. */
import type { TrialRecord } from '#adapters/catalog-files';

/** A `TrialRecord` without the catalog's own field (`screenerIds`), as read from one record. */
export type RegistryTrial = Omit<TrialRecord, 'screenerIds'>;

/** The outcome of parsing one record: the trial plus non-fatal problems worth telling the operator. */
export interface ParsedRecord {
  trial: RegistryTrial;
  warnings: string[];
}
