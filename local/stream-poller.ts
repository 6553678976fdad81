/**
 * The local stand-in for Lambda's DynamoDB stream event source mapping: it reads the table's
 * stream on DynamoDB Local and invokes a stream function's handler with real
 * `DynamoDBStreamEvent`s, applying the function's manifest settings exactly: the same filter
 * patterns, batch size, partial batch failure handling (retry from the first failed record),
 * bisect on error, retry attempts and maximum record age. A batch that exhausts its retries is
 * logged as sent to the dead-letter queue and skipped, as Lambda does; the reconciler then
 * delivers what it held, as it would in AWS.
 */
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamsApiRecord,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamFilterPattern, StreamFunctionSpec } from '#functions/function-manifest';
import { lambdaContext } from './lambda-context';

export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

/** Where a poller starts reading shards that exist when it starts (new shards: from their start). */
export type InitialPosition = 'LATEST' | 'TRIM_HORIZON';

export interface StreamPollerOptions {
  tableName: string;
  spec: StreamFunctionSpec;
  handler: StreamHandler;
  initialPosition?: InitialPosition;
  /** Between GetRecords calls on a shard; Lambda polls about four times a second. */
  pollIntervalMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  dynamo?: DynamoDBClient;
  streams?: DynamoDBStreamsClient;
}

export interface StreamPoller {
  readonly streamArn: string;
  stop(): Promise<void>;
}

/**
 * Whether a record matches one filter pattern: every key of the pattern must be present; an
 * array lists the allowed exact values, an object nests. This is the subset of Lambda's event
 * filtering syntax the manifest uses (see `StreamFilterPattern`).
 */
export function matchesFilterPattern(value: unknown, pattern: StreamFilterPattern): boolean {
  if (value === null || typeof value !== 'object') return false;
  // A cast, not a read: a filter pattern looks only at the keys it names, whatever the record
  // holds (as Lambda's filtering does); the image itself is read by the stream handler's parser.
  const record = value as Record<string, unknown>;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = record[key];
    if (Array.isArray(expected)) {
      const allowed = expected as readonly (string | number)[];
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((item) => allowed.includes(item as string | number));
    }
    return matchesFilterPattern(actual, expected as StreamFilterPattern);
  });
}

/** Lambda invokes the function for a record when any of the mapping's patterns matches. */
export function passesFilters(record: DynamoDBRecord, patterns: readonly StreamFilterPattern[]): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesFilterPattern(record, pattern));
}

/** A Streams API record in the shape Lambda hands to a function. */
export function toLambdaRecord(record: StreamsApiRecord, streamArn: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  const created = change.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion ?? process.env.AWS_REGION ?? 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      Keys: change.Keys,
      NewImage: change.NewImage,
      OldImage: change.OldImage,
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    },
    // The Streams SDK's and aws-lambda's types for the same record differ only in how they spell
    // AttributeValue; the images pass through unread (the handler reads them with its readers).
  } as DynamoDBRecord;
}

interface ShardState {
  shardId: string;
  iterator: string | undefined;
  /** Fetched, filtered records not yet handed over successfully (oldest first). */
  pending: DynamoDBRecord[];
  /** Failed invocations of the batch at the head of `pending`. */
  failures: number;
  /** Batch size for the next invocation: halved after an error when bisecting, else the spec's. */
  batchLimit: number;
  /** The last record read from the shard, to resume after an expired iterator. */
  lastSequenceNumber?: string | undefined;
}

/** Starts polling the stream of `tableName`; resolves once the shards are known. */
export async function startStreamPoller(options: StreamPollerOptions): Promise<StreamPoller> {
  const { spec, handler } = options;
  const trigger = spec.trigger;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const log = options.log ?? defaultLog;
  const dynamo = options.dynamo ?? new DynamoDBClient({});
  const streams = options.streams ?? new DynamoDBStreamsClient(streamsEndpoint());

  const table = await dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream; create it with the stream enabled`);

  const shards = new Map<string, ShardState>();
  const finished = new Set<string>();

  const discoverShards = async (position: InitialPosition): Promise<void> => {
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const page = await streams.send(
        new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      found.push(...(page.StreamDescription?.Shards ?? []));
      exclusiveStartShardId = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    for (const shard of found) {
      const shardId = shard.ShardId;
      if (!shardId || shards.has(shardId) || finished.has(shardId)) continue;
      const start = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const state: ShardState = {
        shardId,
        iterator: start.ShardIterator,
        pending: [],
        failures: 0,
        batchLimit: trigger.batchSize,
      };
      if (position === 'LATEST') await skipToEnd(state);
      shards.set(shardId, state);
    }
  };

  // LATEST is done by hand: read the shard from its start, dropping what is there, and remember
  // the last sequence number. DynamoDB Local's own LATEST iterator on an empty shard fails once
  // records arrive (TrimmedDataAccessException), and recovering needs a known position.
  const skipToEnd = async (shard: ShardState): Promise<void> => {
    while (shard.iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
      shard.lastSequenceNumber = page.Records?.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
      if (!page.Records?.length) return;
      shard.iterator = page.NextShardIterator;
    }
  };

  // An iterator can expire (15 minutes unused) or, on DynamoDB Local, fail with
  // TrimmedDataAccessException when its shard was empty. Like Lambda, resume after the last record
  // read, or from the shard's start when none was, so nothing is read twice or skipped.
  const recoverIterator = async (shard: ShardState, error: unknown): Promise<boolean> => {
    const name = (error as { name?: string } | null)?.name;
    if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') return false;
    const position = shard.lastSequenceNumber
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.lastSequenceNumber }
      : { ShardIteratorType: 'TRIM_HORIZON' as const };
    try {
      const next = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ...position }));
      shard.iterator = next.ShardIterator;
    } catch (positionError) {
      // The last record read was itself trimmed (older than 24 hours): the start is all there is.
      if ((positionError as { name?: string }).name !== 'TrimmedDataAccessException') throw positionError;
      shard.lastSequenceNumber = undefined;
      const next = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.shardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      shard.iterator = next.ShardIterator;
    }
    return true;
  };

  const invoke = async (records: DynamoDBRecord[]): Promise<number | undefined> => {
    // Returns the index of the first failed record, or undefined when the batch succeeded.
    try {
      const response = await handler({ Records: records }, lambdaContext(spec, randomUUID()));
      const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      if (failed.size === 0) return undefined;
      const index = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      return index === -1 ? 0 : index;
    } catch (error) {
      log('warn', 'Stream batch invocation failed', { function: spec.name, error: (error as Error).name });
      return 0;
    }
  };

  const sendToDeadLetterQueue = (records: DynamoDBRecord[], why: string): void => {
    log('error', 'Stream records sent to the dead-letter queue', {
      function: spec.name,
      why,
      sequenceNumbers: records.map((record) => record.dynamodb?.SequenceNumber),
      keys: records.map((record) => record.dynamodb?.Keys),
    });
  };

  const pollShard = async (shard: ShardState): Promise<void> => {
    if (shard.pending.length === 0 && shard.iterator) {
      let page;
      try {
        page = await streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 1000 }));
      } catch (error) {
        if (!(await recoverIterator(shard, error))) throw error;
        return;
      }
      shard.iterator = page.NextShardIterator;
      const records = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn));
      shard.lastSequenceNumber = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.lastSequenceNumber;
      shard.pending.push(...records.filter((record) => passesFilters(record, trigger.filterPatterns)));
    }
    while (shard.pending.length > 0 && !stopping) {
      const tooOld = shard.pending.filter((record) => isOlderThan(record, trigger.maxRecordAgeSeconds));
      if (tooOld.length > 0) {
        sendToDeadLetterQueue(tooOld, 'record older than maxRecordAgeSeconds');
        shard.pending = shard.pending.filter((record) => !tooOld.includes(record));
        continue;
      }
      const batch = shard.pending.slice(0, shard.batchLimit);
      const failedAt = await invoke(batch);
      if (failedAt === undefined) {
        shard.pending.splice(0, batch.length);
        shard.failures = 0;
        shard.batchLimit = trigger.batchSize;
        continue;
      }
      // Records before the first failure are checkpointed; the retry starts at the failed one.
      shard.pending.splice(0, failedAt);
      shard.failures += 1;
      if (failedAt === 0 && trigger.bisectBatchOnError) shard.batchLimit = Math.max(1, Math.ceil(batch.length / 2));
      if (shard.failures > trigger.retryAttempts) {
        const dropped = shard.pending.splice(0, batch.length - failedAt);
        sendToDeadLetterQueue(dropped, `retry attempts (${trigger.retryAttempts}) exhausted`);
        shard.failures = 0;
        shard.batchLimit = trigger.batchSize;
        continue;
      }
      return; // retry on the next tick, not in a tight loop
    }
    if (!shard.iterator && shard.pending.length === 0) {
      shards.delete(shard.shardId);
      finished.add(shard.shardId);
    }
  };

  let stopping = false;
  let ticks = 0;
  await discoverShards(options.initialPosition ?? 'LATEST');

  const loop = (async () => {
    while (!stopping) {
      try {
        // New shards appear as DynamoDB splits or rolls the stream; read them from their start.
        if (ticks % 20 === 19 || shards.size === 0) await discoverShards('TRIM_HORIZON');
        for (const shard of [...shards.values()]) {
          if (stopping) break;
          await pollShard(shard);
        }
      } catch (error) {
        if (!stopping) log('warn', 'Stream polling failed; retrying', { error: (error as Error).name });
      }
      ticks += 1;
      if (!stopping) await sleep(pollIntervalMs);
    }
  })();

  return {
    streamArn,
    async stop() {
      stopping = true;
      await loop;
      if (!options.streams) streams.destroy();
      if (!options.dynamo) dynamo.destroy();
    },
  };
}

function isOlderThan(record: DynamoDBRecord, maxAgeSeconds: number): boolean {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return maxAgeSeconds > 0 && created !== undefined && Date.now() / 1000 - created > maxAgeSeconds;
}

function defaultLog(level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown> = {}): void {
  console[level](JSON.stringify({ level: level.toUpperCase(), service: 'local-stream-poller', message, ...fields }));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// The Streams client reads AWS_ENDPOINT_URL_DYNAMODB_STREAMS natively; DynamoDB Local serves
// both APIs on one endpoint, so fall back to the DynamoDB one.
function streamsEndpoint(): { endpoint?: string } {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? process.env.AWS_ENDPOINT_URL_DYNAMODB;
  return endpoint ? { endpoint } : {};
}
