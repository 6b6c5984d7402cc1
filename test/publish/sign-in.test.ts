import { chmod, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, aibgen, run, tempDir } from '../helpers.js';
import { makeProject } from '../safety/helpers.js';
import { ACCOUNT, KEY, startAzurite, type Azurite } from './azurite.js';

/**
 * Every Azure sign-in route publish relies on, end to end: a real Azurite over HTTPS with OAuth
 * (it checks each bearer token's issuer, audience and lifetime; "basic" mode skips the signature,
 * which is Microsoft's to make), and stand-ins on 127.0.0.1 for what only Azure has: the instance
 * metadata service, App Service's identity endpoint, the Entra ID token endpoint (service
 * principal and workload identity federation), and the Azure CLI (what azure/login's OIDC route
 * leaves behind).
 */

let azurite: Azurite | undefined;
let endpoint: string;
let caFile: string;
let identity: Server;
let identityUrl: string;
const seen: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

/** A token Azurite accepts: the shape Entra ID issues for Azure Storage. */
function token(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({
    aud: 'https://storage.azure.com',
    iss: 'https://sts.windows.net/00000000-0000-0000-0000-000000000001/',
    iat: now - 60,
    nbf: now - 60,
    exp: now + 3600,
    oid: '00000000-0000-0000-0000-000000000002',
    tid: '00000000-0000-0000-0000-000000000001',
  })}.c2lnbmF0dXJl`;
}

beforeAll(async () => {
  const dir = await tempDir('aibgen-oauth-');
  caFile = join(dir, 'cert.pem');
  const made = await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    caFile,
    '-days',
    '2',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  expect(made.exitCode, made.stderr).toBe(0);
  azurite = await startAzurite({ https: { cert: caFile, key: join(dir, 'key.pem') } });
  endpoint = azurite.endpoint;
  // The container, made with the account key by a process that trusts the test certificate.
  const code = `import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
await new BlobServiceClient('${endpoint}', new StorageSharedKeyCredential('${ACCOUNT}', '${KEY}')).getContainerClient('aib').create();`;
  const container = await run('node', ['--input-type=module', '-e', code], { env: { NODE_EXTRA_CA_CERTS: caFile }, cwd: ROOT });
  expect(container.exitCode, container.stderr).toBe(0);

  // Stand-ins for Azure's identity services: each answers a token only to a well-formed request.
  identity = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      seen.push({ path: url.pathname + url.search, headers: request.headers, body });
      const form = new URLSearchParams(body);
      const answer = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (url.pathname === '/metadata/identity/oauth2/token') {
        if (request.headers.metadata !== 'true' || url.searchParams.get('resource') !== 'https://storage.azure.com/')
          return answer(400, { error: 'bad_request' });
        return answer(200, { access_token: token(), expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: 'https://storage.azure.com/' });
      }
      if (url.pathname === '/msi/token') {
        if (request.headers['x-identity-header'] !== 'app-service-secret') return answer(401, { error: 'unauthorized' });
        return answer(200, { access_token: token(), expires_on: String(Math.floor(Date.now() / 1000) + 3600) });
      }
      if (url.pathname === '/tenant-1/oauth2/v2.0/token') {
        if (form.get('scope') !== 'https://storage.azure.com/.default' || form.get('client_id') !== 'client-1')
          return answer(400, { error: 'invalid_request' });
        const ok =
          form.get('client_secret') === 'secret-1' ||
          (form.get('client_assertion') === 'federated-jwt' && form.get('client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
        if (!ok) return answer(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        return answer(200, { access_token: token(), expires_in: 3600, token_type: 'Bearer' });
      }
      answer(404, {});
    });
  });
  await new Promise<void>((resolve) => identity.listen(0, '127.0.0.1', resolve));
  identityUrl = `http://127.0.0.1:${(identity.address() as AddressInfo).port}`;
}, 90_000);

afterAll(async () => {
  // stop() waits for Azurite to exit: it writes to its data folder until then, and the folder is removed next.
  await azurite?.stop();
  await new Promise((resolve) => identity?.close(resolve));
});

async function project(name: string): Promise<string> {
  const root = await makeProject(join(await tempDir(), name), { baseUri: `${endpoint}/aib/${name}/` });
  const built = await aibgen(['build', root, '--quiet']);
  expect(built.exitCode, built.stderr).toBe(0);
  return root;
}

/** Nothing of the machine's own sign-in: no az on PATH, no instance metadata service. */
const closedImds = 'http://127.0.0.1:9';
const base = () => ({
  NODE_EXTRA_CA_CERTS: caFile,
  PATH: '/usr/bin:/bin',
  AZURE_STORAGE_CONNECTION_STRING: '',
  AZURE_STORAGE_SAS_TOKEN: '',
  IMDS_ENDPOINT: closedImds,
});

describe('publish signs in to Azure Storage by every route, over HTTPS, with bearer tokens', () => {
  it('managed identity through the instance metadata service', async () => {
    const root = await project('imds');
    const result = await aibgen(['publish', root], { env: { ...base(), IMDS_ENDPOINT: identityUrl } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/uploaded/);
    expect(seen.some((s) => s.path.startsWith('/metadata/identity/oauth2/token') && s.headers.metadata === 'true')).toBe(true);
  });

  it("managed identity through App Service's identity endpoint", async () => {
    const root = await project('appservice');
    const result = await aibgen(['publish', root], {
      env: { ...base(), IDENTITY_ENDPOINT: `${identityUrl}/msi/token`, IDENTITY_HEADER: 'app-service-secret' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
  });

  it('a service principal and workload identity federation from the environment', async () => {
    const secret = await aibgen(['publish', await project('secret')], {
      env: { ...base(), AZURE_AUTHORITY_HOST: identityUrl, AZURE_TENANT_ID: 'tenant-1', AZURE_CLIENT_ID: 'client-1', AZURE_CLIENT_SECRET: 'secret-1' },
    });
    expect(secret.exitCode, secret.stderr).toBe(0);
    expect(secret.stdout + secret.stderr).not.toContain('secret-1');
    const dir = await tempDir();
    await writeFile(join(dir, 'token'), 'federated-jwt\n');
    const federated = await aibgen(['publish', await project('federated')], {
      env: {
        ...base(),
        AZURE_AUTHORITY_HOST: identityUrl,
        AZURE_TENANT_ID: 'tenant-1',
        AZURE_CLIENT_ID: 'client-1',
        AZURE_FEDERATED_TOKEN_FILE: join(dir, 'token'),
      },
    });
    expect(federated.exitCode, federated.stderr).toBe(0);
    const wrong = await aibgen(['publish', await project('wrong-secret')], {
      env: { ...base(), AZURE_AUTHORITY_HOST: identityUrl, AZURE_TENANT_ID: 'tenant-1', AZURE_CLIENT_ID: 'client-1', AZURE_CLIENT_SECRET: 'nope' },
    });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toContain('signing in to Azure with the service principal failed: HTTP 401 invalid_client: AADSTS7000215');
  });

  it("the Azure CLI's az login (what azure/login with OIDC leaves behind in GitHub Actions)", async () => {
    const bin = await tempDir();
    const az = join(bin, 'az');
    const expires = Math.floor(Date.now() / 1000) + 3600;
    await writeFile(
      az,
      `#!/bin/sh\n[ "$1 $2 $3 $4" = "account get-access-token --resource https://storage.azure.com/" ] || exit 3\nprintf '{"accessToken":"%s","expires_on":${expires},"tokenType":"Bearer"}' '${token()}'\n`,
    );
    await chmod(az, 0o755);
    const result = await aibgen(['publish', await project('cli')], { env: { ...base(), PATH: `${bin}:/usr/bin:/bin` } });
    expect(result.exitCode, result.stderr).toBe(0);
    const notSignedIn = join(bin, 'az');
    await writeFile(notSignedIn, '#!/bin/sh\necho "ERROR: Please run \'az login\' to setup account." >&2\nexit 1\n');
    const refused = await aibgen(['publish', await project('cli-out')], { env: { ...base(), PATH: `${bin}:/usr/bin:/bin` } });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('no Azure credentials found for publishing');
    expect(refused.stderr).toContain('Azure CLI: not signed in (run az login)');
    expect(refused.stderr).toContain('managed identity: no instance metadata service answered');
  });
});

describe('the token route fails closed', () => {
  it('a token for another audience is refused by the service and reported as a 403 with its code, not as uploaded', async () => {
    const bin = await tempDir();
    const bad = token().replace(/^([^.]+)\.([^.]+)/, (_, h: string, p: string) => {
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, aud: 'https://management.azure.com' })).toString('base64url')}`;
    });
    await writeFile(join(bin, 'az'), `#!/bin/sh\nprintf '{"accessToken":"%s","expires_on":9999999999}' '${bad}'\n`);
    await chmod(join(bin, 'az'), 0o755);
    const result = await aibgen(['publish', await project('audience')], { env: { ...base(), PATH: `${bin}:/usr/bin:/bin` } });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/not allowed to use .* \(HTTP 40[13] \w+\)/);
    expect(await readFile(join(ROOT, 'package.json'), 'utf8')).toContain('"name": "aibgen"');
  });
});
