/**
 * Shared CLI plumbing: which table a command talks to, and the client to reach it.
 *
 * Without `--table` a command targets the local `npm start` stack: DynamoDB Local on
 * `http://localhost:${DYNAMODB_PORT:-8000}` (or `AWS_ENDPOINT_URL_DYNAMODB`) with dummy
 * credentials and the local runtime's table name. With `--table` it targets AWS through the
 * normal credential chain, optionally with `--region` and `--profile`; `--endpoint` overrides
 * the endpoint either way.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { tableRef, type TableRef } from '#adapters/dynamo';

/** The table name the local runtime creates in DynamoDB Local. */
export const LOCAL_TABLE_NAME = 'trial-screener-local';
const LOCAL_REGION = 'us-east-1';

/** The connection options every table-backed command accepts. */
export interface ConnectionOptions {
  table?: string;
  region?: string;
  profile?: string;
  endpoint?: string;
}

/** Where a command's table lives, resolved from options and environment. */
export interface TableTarget {
  tableName: string;
  region: string | undefined;
  profile: string | undefined;
  endpoint: string | undefined;
  /** Whether this is the local stack (dummy credentials). */
  local: boolean;
}

/** Adds `--table`, `--region`, `--profile` and `--endpoint` to a command. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('--table <name>', 'DynamoDB table of an AWS deployment (default: the local npm start stack)')
    .option('--region <region>', 'AWS region of the table (default: from the AWS configuration)')
    .option('--profile <profile>', 'AWS profile for credentials')
    .option('--endpoint <url>', 'DynamoDB endpoint URL (default: DynamoDB Local for the local stack)');
}

/** Resolves the target table: the local stack unless `--table` names one. */
export function resolveTableTarget(options: ConnectionOptions, env: NodeJS.ProcessEnv = process.env): TableTarget {
  if (options.table) {
    return {
      tableName: options.table,
      region: options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
      profile: options.profile,
      endpoint: options.endpoint,
      local: false,
    };
  }
  return {
    tableName: env.TABLE_NAME || LOCAL_TABLE_NAME,
    region: options.region ?? LOCAL_REGION,
    profile: undefined,
    endpoint: options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? `http://localhost:${env.DYNAMODB_PORT ?? '8000'}`,
    local: true,
  };
}

/** A repository `TableRef` for the target, with a client configured for it. */
export function connectTable(target: TableTarget): TableRef {
  const client = new DynamoDBClient({
    ...(target.region && { region: target.region }),
    ...(target.endpoint && { endpoint: target.endpoint }),
    ...(target.profile && { profile: target.profile }),
    // DynamoDB Local accepts any credentials; a laptop without AWS credentials must still work.
    ...(target.local && { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  });
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return tableRef(target.tableName, documents);
}

/** A one-line description of the target for messages ("local table X at URL"). */
export function describeTarget(target: TableTarget): string {
  return target.local
    ? `local table ${target.tableName} at ${target.endpoint}`
    : `table ${target.tableName}${target.region ? ` in ${target.region}` : ''}${target.endpoint ? ` at ${target.endpoint}` : ''}`;
}

/** The repository's `data/` folder, where the catalog files live. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

/**
 * Runs table work, turning "nothing listens there" into advice: for the local stack the usual
 * cause is that `npm start` is not running.
 */
export async function usingTable<T>(target: TableTarget, work: (table: TableRef) => Promise<T>): Promise<T> {
  try {
    return await work(connectTable(target));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
    if (code === 'ECONNREFUSED' && target.local) {
      throw new Error(
        `cannot reach DynamoDB Local at ${target.endpoint}: start the local stack with \`npm start\`, ` +
          'or pass --table (and --region/--profile) for a deployment',
      );
    }
    throw error;
  }
}
