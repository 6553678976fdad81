/**
 * Countries as the two sides name them: the screener's `country` answer (lower-case ISO 3166-1
 * alpha-2, or `other`) and the registry's site records (ClinicalTrials.gov's English country
 * names, "United States", "Russian Federation", "Korea, Republic of"). Matching a patient to
 * "a site in the same country" needs both to meet on the ISO code.
 */

export interface Country {
  /** ISO 3166-1 alpha-2, upper case. */
  iso2: string;
  /** The name ClinicalTrials.gov writes in a site's `country`. */
  registryName: string;
}

// The registry's names for the countries where trials recruit most often; extend as the catalog
// grows (a site whose country is missing here only loses the "same country" fallback).
const REGISTRY_COUNTRIES: readonly Country[] = [
  { iso2: 'US', registryName: 'United States' },
  { iso2: 'CA', registryName: 'Canada' },
  { iso2: 'MX', registryName: 'Mexico' },
  { iso2: 'BR', registryName: 'Brazil' },
  { iso2: 'AR', registryName: 'Argentina' },
  { iso2: 'CL', registryName: 'Chile' },
  { iso2: 'CO', registryName: 'Colombia' },
  { iso2: 'GB', registryName: 'United Kingdom' },
  { iso2: 'IE', registryName: 'Ireland' },
  { iso2: 'NO', registryName: 'Norway' },
  { iso2: 'SE', registryName: 'Sweden' },
  { iso2: 'DK', registryName: 'Denmark' },
  { iso2: 'FI', registryName: 'Finland' },
  { iso2: 'IS', registryName: 'Iceland' },
  { iso2: 'NL', registryName: 'Netherlands' },
  { iso2: 'BE', registryName: 'Belgium' },
  { iso2: 'LU', registryName: 'Luxembourg' },
  { iso2: 'FR', registryName: 'France' },
  { iso2: 'DE', registryName: 'Germany' },
  { iso2: 'AT', registryName: 'Austria' },
  { iso2: 'CH', registryName: 'Switzerland' },
  { iso2: 'IT', registryName: 'Italy' },
  { iso2: 'ES', registryName: 'Spain' },
  { iso2: 'PT', registryName: 'Portugal' },
  { iso2: 'GR', registryName: 'Greece' },
  { iso2: 'PL', registryName: 'Poland' },
  { iso2: 'CZ', registryName: 'Czechia' },
  { iso2: 'SK', registryName: 'Slovakia' },
  { iso2: 'HU', registryName: 'Hungary' },
  { iso2: 'RO', registryName: 'Romania' },
  { iso2: 'BG', registryName: 'Bulgaria' },
  { iso2: 'HR', registryName: 'Croatia' },
  { iso2: 'SI', registryName: 'Slovenia' },
  { iso2: 'RS', registryName: 'Serbia' },
  { iso2: 'EE', registryName: 'Estonia' },
  { iso2: 'LV', registryName: 'Latvia' },
  { iso2: 'LT', registryName: 'Lithuania' },
  { iso2: 'UA', registryName: 'Ukraine' },
  { iso2: 'BY', registryName: 'Belarus' },
  { iso2: 'RU', registryName: 'Russian Federation' },
  { iso2: 'GE', registryName: 'Georgia' },
  { iso2: 'TR', registryName: 'Turkey' },
  { iso2: 'IL', registryName: 'Israel' },
  { iso2: 'EG', registryName: 'Egypt' },
  { iso2: 'SA', registryName: 'Saudi Arabia' },
  { iso2: 'ZA', registryName: 'South Africa' },
  { iso2: 'IN', registryName: 'India' },
  { iso2: 'PK', registryName: 'Pakistan' },
  { iso2: 'CN', registryName: 'China' },
  { iso2: 'HK', registryName: 'Hong Kong' },
  { iso2: 'TW', registryName: 'Taiwan' },
  { iso2: 'JP', registryName: 'Japan' },
  { iso2: 'KR', registryName: 'Korea, Republic of' },
  { iso2: 'SG', registryName: 'Singapore' },
  { iso2: 'MY', registryName: 'Malaysia' },
  { iso2: 'TH', registryName: 'Thailand' },
  { iso2: 'AU', registryName: 'Australia' },
  { iso2: 'NZ', registryName: 'New Zealand' },
];

const BY_ISO2 = new Map(REGISTRY_COUNTRIES.map((country) => [country.iso2, country]));
const BY_REGISTRY_NAME = new Map(REGISTRY_COUNTRIES.map((country) => [country.registryName.toLowerCase(), country]));
// Older records and other sources spell a few countries differently.
for (const [alias, iso2] of [
  ['USA', 'US'],
  ['Czech Republic', 'CZ'],
  ['Republic of Korea', 'KR'],
  ['South Korea', 'KR'],
  ['Russia', 'RU'],
  ['Türkiye', 'TR'],
] as const) {
  BY_REGISTRY_NAME.set(alias.toLowerCase(), BY_ISO2.get(iso2)!);
}

/**
 * The country a screener's `country` answer names (`us` → US, "United States"), or undefined
 * for `other` and for values the table does not know.
 */
export function countryFromAnswer(value: unknown): Country | undefined {
  return typeof value === 'string' ? BY_ISO2.get(value.toUpperCase()) : undefined;
}

/** The country a registry site record names ("United States" → US), or undefined if unknown. */
export function countryFromRegistryName(name: string): Country | undefined {
  return BY_REGISTRY_NAME.get(name.trim().toLowerCase());
}
