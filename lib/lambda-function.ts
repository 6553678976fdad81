import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type {
  EnvironmentVariable,
  FunctionSpec,
  RuntimeFile,
  TableAccess,
  TableItemAction,
  TablePartition,
} from '#functions/function-manifest';
import { DUE_INDEX, OUTBOX_INDEX, PARTITION_KEY_PATTERNS } from '#functions/table-schema';
import { RETAIN_STATEFUL } from './stateful';

/** Repository root: manifest entries are relative to it, and its lock file pins the bundle. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Values for the manifest's environment variables. A key that is present with the value
 * `undefined` means "deliberately not set" (an optional setting such as `RECIPIENT_OVERRIDE`);
 * a key that is missing while a function lists it is a wiring mistake and fails synthesis.
 */
export type EnvironmentValues = { readonly [Name in EnvironmentVariable]?: string | undefined };

export interface ManifestFunctionOptions {
  readonly table: ITable;
  /** Encrypts the function's log group and the table (for the table grants). */
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  readonly environment: EnvironmentValues;
}

/**
 * ESM output needs `require` for the few CommonJS dependencies esbuild cannot convert
 * (they call `require` on Node built-ins at run time).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

/**
 * Modules replaced in Lambda bundles only (esbuild `alias`; targets relative to the repository
 * root, esbuild's working directory). The AWS SDK stays bundled; what goes is code no function
 * here can reach in Lambda: the default credential chain beyond the links Lambda uses, and
 * event-stream support, which no DynamoDB or SES operation uses. `node:http` is the built-in
 * itself, reached without the ESM import that makes Node load undici at every cold start (see
 * each module).
 */
export const LAMBDA_MODULE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './functions/adapters/lambda-credentials.ts',
  '@smithy/core/event-streams': './functions/adapters/lambda-no-event-streams.ts',
  'node:http': './functions/adapters/lambda-node-http.cts',
  http: './functions/adapters/lambda-node-http.cts',
};

/**
 * Left out of Lambda bundles: nothing at present. (`source-map`, an optional dependency of the
 * Handlebars compiler, was, while the delivery functions compiled the email templates at cold
 * start; they are precompiled now and the bundles carry only the Handlebars runtime.)
 */
export const LAMBDA_EXTERNAL_MODULES: readonly string[] = [];

/** The manifest's partition kinds and the table schema's key patterns must be the same set. */
const PARTITION_PATTERNS: Readonly<Record<TablePartition, readonly string[]>> = PARTITION_KEY_PATTERNS satisfies Record<
  TablePartition,
  readonly string[]
>;

// And no kind in the table schema that the manifest cannot name.
const SCHEMA_KINDS_ARE_MANIFEST_KINDS: keyof typeof PARTITION_KEY_PATTERNS extends TablePartition ? true : never = true;
void SCHEMA_KINDS_ARE_MANIFEST_KINDS;

/** Actions that change items: their functions also get the key's encrypt side. */
const WRITE_ACTIONS: readonly TableItemAction[] = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];

/** The manifest's index names (`queriesIndexes`) and the indexes of the table schema. */
const INDEX_NAMES: Readonly<Record<NonNullable<TableAccess['queriesIndexes']>[number], string>> = {
  outbox: OUTBOX_INDEX.name,
  due: DUE_INDEX.name,
};

/**
 * Creates the Lambda function of one manifest entry: bundled with local esbuild (ESM, minified,
 * source maps, AWS SDK included), Node.js 24 on arm64, sized as the manifest says, JSON logs to
 * its own KMS-encrypted log group, its own role, table read access (write only when the
 * manifest's `table` access allows) and exactly the environment variables the manifest lists.
 */
export function createManifestFunction(scope: Construct, spec: FunctionSpec, options: ManifestFunctionOptions): NodejsFunction {
  const id = pascalCase(spec.name);

  const logGroup = new LogGroup(scope, `${id}Logs`, {
    retention: options.logRetention,
    encryptionKey: options.key,
    // Logs hold request ids and outcomes that audits may need after the stack is gone.
    removalPolicy: RETAIN_STATEFUL,
  });

  // An own role instead of the AWS-managed basic execution policy: logs only to its own group.
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: `trial-screener ${spec.name}`,
  });
  logGroup.grantWrite(role);

  const fn = new NodejsFunction(scope, id, {
    description: spec.description,
    entry: join(PROJECT_ROOT, spec.entry),
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: spec.memoryMb,
    timeout: Duration.seconds(spec.timeoutSeconds),
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    // No NODE_OPTIONS=--enable-source-maps: it parses the source map at every cold start. The bundle
    // maps its stack traces itself, only when one is formatted (functions/adapters/source-mapped-stacks.ts).
    environment: manifestEnvironment(spec, options.environment),
    bundling: {
      format: OutputFormat.ESM,
      target: 'node24',
      minify: true,
      sourceMap: true,
      // The sources are in the repository; embedding them would only grow the package.
      sourcesContent: false,
      mainFields: ['module', 'main'],
      // Bundle the AWS SDK: the version is pinned by our lock file, not by the Lambda runtime.
      bundleAwsSDK: true,
      externalModules: [...LAMBDA_EXTERNAL_MODULES],
      banner: ESM_REQUIRE_BANNER,
      esbuildArgs: {
        '--alias': Object.entries(LAMBDA_MODULE_ALIASES).map(([module, replacement]) => `${module}=${replacement}`),
      },
      forceDockerBundling: false,
      ...(spec.runtimeFiles.length > 0 ? { commandHooks: copyRuntimeFiles(spec.runtimeFiles) } : {}),
    },
  });

  grantTableAccess(role, spec.table, options.table, options.key);

  Validations.of(fn).acknowledge(
    {
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        spec.trigger.kind === 'registry-sync'
          ? 'The registry sync reaches DynamoDB and CloudWatch over TLS with IAM, and the public ClinicalTrials.gov API ' +
            'over HTTPS (public data, no credentials, no patient data sent). Limiting its egress to that one host would ' +
            'need a VPC, a NAT gateway and AWS Network Firewall (a fixed monthly cost); there is no private resource to reach.'
          : 'The function reaches only AWS public endpoints (DynamoDB, SES, CloudWatch) over TLS with IAM ' +
            'authentication; there is no private resource to reach, and a VPC would add NAT gateways or endpoints for nothing.',
    },
    {
      id: 'HIPAA.Security-LambdaConcurrency',
      reason:
        'Concurrency is bounded before the function: API stage throttling and the WAF per-IP rate rule for ' +
        'HTTP functions, the stream shards times the parallelization factor for delivery, one schedule for the ' +
        'reconciler. Reserved concurrency would fail deployment in accounts with the default low quota.',
    },
  );
  Validations.of(role).acknowledge({
    id: 'HIPAA.Security-IAMNoInlinePolicy',
    reason:
      "The role belongs to this one function and its policy names only this function's log group, table, " +
      'key and (for delivery) queue and SES identity; a separate managed policy would be attached to this role only.',
  });
  return fn;
}

/** The environment of one function: exactly the variables its manifest entry lists. */
export function manifestEnvironment(spec: FunctionSpec, values: EnvironmentValues): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const name of spec.environment) {
    if (!Object.hasOwn(values, name)) {
      throw new Error(`No value wired for ${name}, which function ${spec.name} lists in functions/function-manifest.ts`);
    }
    const value = values[name];
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}

/**
 * Item-level table access exactly as the manifest declares it: one statement per action, on the
 * table only, with a `dynamodb:LeadingKeys` condition naming the partition keys of the partitions
 * the function uses that action on (the patterns come from the table schema). Index queries get
 * their own statement on the named indexes, without a key condition: the indexes hold only
 * outbound-message references, in partitions of their own. No Scan, no table management; the key only as far as the table needs it (encrypt for writers).
 */
export function grantTableAccess(role: Role, access: TableAccess, table: ITable, key: IKey): void {
  const entries = Object.entries(access.items) as [TableItemAction, readonly TablePartition[]][];
  for (const [action, partitions] of entries) {
    if (partitions.length === 0) throw new Error(`Table action ${action} is declared with no partition`);
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [`dynamodb:${action}`],
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [...new Set(partitions.flatMap((partition) => PARTITION_PATTERNS[partition]))],
          },
        },
      }),
    );
  }
  const indexes = access.queriesIndexes ?? [];
  if (indexes.length > 0) {
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => `${table.tableArn}/index/${INDEX_NAMES[index]}`),
      }),
    );
  }
  const writes = entries.some(([action]) => WRITE_ACTIONS.includes(action));
  role.addToPolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: writes ? ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
      resources: [key.keyArn],
    }),
  );
}

/**
 * Files a function reads at run time are not code: the postal-code coordinates and the phone
 * number metadata are data that would cost bundle bytes and cold-start parsing
 * (`functions/adapters/postal-geocoder.ts`, `phone-numbers.ts`). The adapters read
 * them beside the bundle, so each is copied there at its repository-relative path.
 */
function copyRuntimeFiles(paths: readonly RuntimeFile[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) =>
      paths.map((path) => `mkdir -p "$(dirname "${outputDir}/${path}")" && cp -R "${inputDir}/${path}" "${outputDir}/${path}"`),
  };
}

function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
