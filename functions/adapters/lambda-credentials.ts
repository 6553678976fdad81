/**
 * The AWS SDK's default credential chain reduced to the links that can answer inside Lambda: the
 * function role's credentials from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`, which Lambda sets for every function), else Lambda's container credentials
 * endpoint (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, which SnapStart uses instead of the variables).
 *
 * Lambda bundles only: `lib/lambda-function.ts` aliases `@aws-sdk/credential-provider-node` to
 * this module. Every SDK client's runtime config imports that package's full chain statically
 * (SSO, shared config files, credential processes, web identity with its STS and SSO clients,
 * EC2 instance metadata), about 130 KB of every bundle, although in Lambda the first link always
 * answers. The local runtime, the CLI and the tests load the SDK unaliased and keep the full chain
 * (profiles, SSO) an operator's machine needs.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { chain } from '@smithy/core/config';
import type { defaultProvider as sdkDefaultProvider } from '@aws-sdk/credential-provider-node';

/** Same name and signature as `@aws-sdk/credential-provider-node`'s export, which it replaces. */
export const defaultProvider: typeof sdkDefaultProvider = (init = {}) =>
  // `fromHttp` throws at creation when no endpoint is configured: create it only when reached.
  chain(fromEnv(init), () => fromHttp(init)());
