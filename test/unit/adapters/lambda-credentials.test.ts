/**
 * The credential chain Lambda bundles use instead of the SDK's default chain: the environment's
 * credentials, else the container credentials endpoint, and nothing else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { defaultProvider } from '#adapters/lambda-credentials';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
];

let saved: Record<string, string | undefined>;
let server: Server | undefined;

beforeEach(() => {
  saved = Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
});

afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A container credentials endpoint on loopback that answers with `credentials` to `token` only. */
async function containerCredentialsEndpoint(token: string, credentials: object): Promise<string> {
  server = createServer((request, response) => {
    const authorized = request.headers.authorization === token;
    response.writeHead(authorized ? 200 : 403, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(authorized ? credentials : { message: 'forbidden' }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/credentials`;
}

describe('defaultProvider (Lambda bundles)', () => {
  it("resolves the function role's credentials from the environment, as Lambda sets them", async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    process.env.AWS_SESSION_TOKEN = 'session';

    const credentials = await defaultProvider({})();

    expect(credentials).toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'session' });
  });

  it('falls back to the container credentials endpoint when the environment has no keys', async () => {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = await containerCredentialsEndpoint('container-token', {
      AccessKeyId: 'ASIACONTAINER',
      SecretAccessKey: 'container-secret',
      Token: 'container-session',
      Expiration: new Date(Date.now() + 3_600_000).toISOString(),
    });
    process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-token';

    const credentials = await defaultProvider({})();

    expect(credentials).toMatchObject({ accessKeyId: 'ASIACONTAINER', sessionToken: 'container-session' });
  });

  it("ignores an operator's profile in a shared credentials file, which the SDK's full chain would use", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'lambda-credentials-'));
    try {
      writeFileSync(
        join(folder, 'credentials'),
        '[operator]\naws_access_key_id = AKIAOPERATOR\naws_secret_access_key = operator-secret\n',
      );
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(folder, 'credentials');
      process.env.AWS_CONFIG_FILE = join(folder, 'config');
      process.env.AWS_PROFILE = 'operator';

      await expect(defaultProvider({})()).rejects.toThrow(/credential/i);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
