import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deprovisionScript } from '../../src/deprovision/index.js';
import { CORPUS, ROOT, aibgen, tempDir } from '../helpers.js';
import { RAW_PREFIX, corpusFiles, brokenJsonFiles, layOutRawUrls } from '../corpus/corpus-index.js';

/**
 * aibgen import: a template becomes a project whose build gives back the same steps in the same
 * order (types, names, inline commands, run flags, destinations, restart and update settings, and
 * the checksum of the original bytes, now at the project's baseUri), against a real HTTP server and
 * over every corpus template whose files the corpus holds.
 */

type Step = Record<string, unknown> & { type: string; name?: string };
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const BASE = 'https://contoso.blob.core.windows.net/aib/imported/';

let server: Server;
let url: string;
const served = new Map<string, string>();
beforeAll(async () => {
  server = createServer((request, response) => {
    const body = served.get(request.url ?? '');
    if (body === undefined) response.writeHead(404).end('not found');
    else response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function templateOf(os: 'linux' | 'windows', customize: unknown[], extra: Record<string, unknown> = {}): string {
  const source =
    os === 'linux'
      ? { type: 'PlatformImage', publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' }
      : { type: 'PlatformImage', publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-g2', version: 'latest' };
  return `${JSON.stringify(
    {
      type: 'Microsoft.VirtualMachineImages/imageTemplates',
      apiVersion: '2024-02-01',
      location: 'westeurope',
      identity: {
        type: 'UserAssigned',
        userAssignedIdentities: {
          '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aib/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {},
        },
      },
      properties: {
        source,
        customize,
        distribute: [
          {
            type: 'ManagedImage',
            imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aib/providers/Microsoft.Compute/images/x',
            location: 'westeurope',
            runOutputName: 'x',
          },
        ],
        ...extra,
      },
    },
    null,
    4,
  )}\n`;
}

/** The steps a template file holds (customize, then inVMValidations). */
async function stepsOf(file: string): Promise<{ customize: Step[]; validations: Step[] }> {
  const value = parse(await readFile(file, 'utf8')) as {
    properties?: Record<string, unknown>;
    resources?: { type: string; properties: Record<string, unknown> }[];
  };
  const props = value.properties ?? value.resources?.find((r) => r.type === 'Microsoft.VirtualMachineImages/imageTemplates')?.properties ?? {};
  return {
    customize: (props.customize as Step[] | undefined) ?? [],
    validations: (props.validate as { inVMValidations?: Step[] } | undefined)?.inVMValidations ?? [],
  };
}

/** What must survive the round trip: everything but the URI's location and the checksum (which must be the original bytes'). */
function comparable(step: Step, bytes: Map<string, string>): Record<string, unknown> {
  const { scriptUri, sourceUri, sha256Checksum, ...rest } = step;
  const uri = (scriptUri ?? sourceUri) as string | undefined;
  return {
    ...rest,
    ...(uri !== undefined ? { fetched: bytes.get(uri) ?? 'kept' } : {}),
    ...(sha256Checksum !== undefined && uri === undefined ? { sha256Checksum } : {}),
  };
}

describe('aibgen import against a real HTTP server', () => {
  it('imports Linux script, file and inline steps; build gives back the same steps with the original bytes at baseUri', async () => {
    const dir = await tempDir();
    served.set('/main/install.sh', '#!/bin/bash\ntouch /tmp/should-never-run-on-import\necho install\n');
    served.set('/files/site.conf', 'server { listen 80; }\n');
    const customize = [
      { type: 'Shell', name: 'install', scriptUri: `${url}/main/install.sh`, sha256Checksum: sha(served.get('/main/install.sh')!) },
      { type: 'File', name: 'config', sourceUri: `${url}/files/site.conf`, destination: '/tmp/site.conf' },
      { type: 'Shell', name: 'check', inline: ['sudo nginx -t'] },
      { type: 'Shell', name: 'templated', scriptUri: "[concat(parameters('base'), 'x.sh')]" },
    ];
    await writeFile(join(dir, 'template.json'), templateOf('linux', customize));
    const result = await aibgen(['import', 'template.json', 'project', '--base-uri', BASE, '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { steps: { name: string; action: string; file?: string; reason?: string; notes: string[] }[] };
    expect(report.steps.map((s) => [s.name, s.action, s.file ?? null])).toEqual([
      ['install', 'script', 'scripts/install.sh'],
      ['config', 'file', 'files/site.conf'],
      ['check', 'inline', null],
      ['templated', 'kept', null],
    ]);
    expect(report.steps[3]!.reason).toContain('ARM expression');
    expect(report.steps[0]!.notes.join()).toContain('pinned by its content');
    // Stored byte for byte, never run.
    expect(await readFile(join(dir, 'project', 'scripts', 'install.sh'), 'utf8')).toBe(served.get('/main/install.sh'));
    await expect(stat('/tmp/should-never-run-on-import')).rejects.toThrow();
    const built = await aibgen(['build', 'project', '--quiet', '--no-lint'], { cwd: dir });
    expect(built.exitCode, built.stderr).toBe(0);
    const original = await stepsOf(join(dir, 'template.json'));
    const after = await stepsOf(join(dir, 'project', 'dist', 'template.json'));
    const originalBytes = new Map([...served].map(([path, body]) => [`${url}${path}`, sha(body)]));
    const builtBytes = new Map<string, string>();
    for (const step of after.customize) {
      const uri = (step.scriptUri ?? step.sourceUri) as string | undefined;
      if (uri?.startsWith(BASE)) {
        builtBytes.set(uri, step.sha256Checksum as string);
        expect(uri.startsWith(BASE)).toBe(true);
      }
    }
    // The kept step's expression URI is unchanged and stays in place.
    expect(after.customize.map((s) => comparable(s, builtBytes))).toEqual(original.customize.map((s) => comparable(s, originalBytes)));
  });

  it('Windows: PowerShell run flags, validExitCodes, restart and update settings, validation steps, a kept step placed where it was', async () => {
    const dir = await tempDir();
    served.set('/setup.ps1', "Write-Output 'setup'\r\n");
    served.set('/validate.ps1', "Write-Output 'ok'\r\n");
    const customize = [
      { type: 'PowerShell', name: 'setup', scriptUri: `${url}/setup.ps1`, runElevated: true, runAsSystem: true, validExitCodes: [0, 3010] },
      { type: 'WindowsRestart', name: 'restart', restartCheckCommand: 'echo ok', restartTimeout: '10m' },
      { type: 'PowerShell', name: 'from-parameter', scriptUri: "[parameters('scriptUri')]" },
      { type: 'WindowsUpdate', name: 'updates', searchCriteria: 'IsInstalled=0', filters: ['exclude:$_.Title -like "*Preview*"'], updateLimit: 40 },
      { type: 'PowerShell', name: 'inline', inline: ['Get-Date'], runElevated: true },
    ];
    await writeFile(
      join(dir, 'template.json'),
      templateOf('windows', customize, {
        validate: { inVMValidations: [{ type: 'PowerShell', name: 'validate', scriptUri: `${url}/validate.ps1` }], continueDistributeOnFailure: true },
      }),
    );
    const result = await aibgen(['import', 'template.json', '--base-uri', BASE], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('customize[2] "from-parameter": kept: its scriptUri is built from an ARM expression');
    const project = JSON.parse(await readFile(join(dir, 'template', 'aibgen.json'), 'utf8')) as { customize: Record<string, unknown>[] };
    expect(project.customize[2]).toEqual({ existing: 'from-parameter' });
    const built = await aibgen(['build', 'template', '--quiet', '--no-lint'], { cwd: dir });
    expect(built.exitCode, built.stderr).toBe(0);
    const original = await stepsOf(join(dir, 'template.json'));
    const after = await stepsOf(join(dir, 'template', 'dist', 'template.json'));
    const strip = (s: Step) => comparable(s, new Map());
    expect(after.customize.map((s) => ({ ...strip(s), fetched: undefined }))).toEqual(original.customize.map((s) => ({ ...strip(s), fetched: undefined })));
    expect(after.customize[0]!.sha256Checksum).toBe(sha(served.get('/setup.ps1')!));
    expect(after.validations.map((s) => s.name)).toEqual(['validate']);
    expect(after.validations[0]!.sha256Checksum).toBe(sha(served.get('/validate.ps1')!));
    const templateText = await readFile(join(dir, 'template', 'dist', 'template.json'), 'utf8');
    expect(templateText).toContain('"continueDistributeOnFailure": true');
  });

  it('a step of a type aibgen does not know stays in the template, and the report says why', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'template.json'), templateOf('linux', [{ type: 'SomethingNew', name: 'future-step', value: 1 }]));
    const result = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('customize[0] "future-step": kept: its type "SomethingNew" is not one aibgen builds');
    expect(await readFile(join(dir, 'p', 'template.json'), 'utf8')).toContain('"SomethingNew"');
  });

  it('a checksum that does not match the served bytes is an error naming the step, nothing written; --accept-current takes the bytes', async () => {
    const dir = await tempDir();
    served.set('/changed.sh', '#!/bin/sh\necho changed\n');
    await writeFile(
      join(dir, 'template.json'),
      templateOf('linux', [{ type: 'Shell', name: 'drifted', scriptUri: `${url}/changed.sh`, sha256Checksum: 'a'.repeat(64) }]),
    );
    const refused = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(
      `customize[0] "drifted": ${url}/changed.sh is served with SHA-256 ${sha(served.get('/changed.sh')!)}, but the template says ${'a'.repeat(64)}`,
    );
    expect(await readdir(dir)).toEqual(['template.json']);
    const accepted = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE, '--accept-current'], { cwd: dir });
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('the bytes as served were taken (--accept-current)');
  });

  it('an unreachable file is an error unless --keep-unreachable keeps the step in the template; a non-empty folder is refused', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'template.json'), templateOf('linux', [{ type: 'Shell', name: 'gone', scriptUri: `${url}/missing.sh` }]));
    const refused = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE], { cwd: dir });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain(`customize[0] "gone": ${url}/missing.sh cannot be fetched: cannot fetch ${url}/missing.sh: HTTP 404`);
    const kept = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE, '--keep-unreachable', '--json'], { cwd: dir });
    expect(kept.exitCode).toBe(0);
    expect((JSON.parse(kept.stdout) as { steps: { action: string }[] }).steps[0]!.action).toBe('kept');
    const again = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE, '--keep-unreachable'], { cwd: dir });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('p exists and is not empty');
  });

  it('file names are safe on Windows and unique; the deprovisioning override is kept unless it is exactly a preset', async () => {
    const dir = await tempDir();
    served.set('/a/run%3F.sh', '#!/bin/sh\necho one\n');
    served.set('/b/RUN%3F.sh', '#!/bin/sh\necho two\n');
    served.set('/con', '#!/bin/sh\necho con\n');
    const preset = await deprovisionScript({ os: 'linux' });
    served.set('/DeprovisioningScript.sh', preset.bytes.toString('utf8'));
    served.set('/custom-deprovision.sh', '#!/bin/bash\nsudo waagent -force -deprovision+user\n');
    await writeFile(
      join(dir, 'template.json'),
      templateOf('linux', [
        { type: 'Shell', name: 'one', scriptUri: `${url}/a/run%3F.sh` },
        { type: 'Shell', name: 'two', scriptUri: `${url}/b/RUN%3F.sh` },
        { type: 'Shell', name: 'three', scriptUri: `${url}/con` },
        { type: 'File', name: 'deprovision', sourceUri: `${url}/DeprovisioningScript.sh`, destination: '/tmp/DeprovisioningScript.sh' },
        { type: 'File', name: 'custom', sourceUri: `${url}/custom-deprovision.sh`, destination: '/tmp/DeprovisioningScript.sh' },
      ]),
    );
    const result = await aibgen(['import', 'template.json', 'p', '--base-uri', BASE, '--json'], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    const steps = (JSON.parse(result.stdout) as { steps: { name: string; action: string; file?: string }[] }).steps;
    expect(steps.map((s) => [s.name, s.action, s.file ?? null])).toEqual([
      ['one', 'script', 'scripts/run-.sh'],
      ['two', 'script', 'scripts/RUN--2.sh'],
      ['three', 'script', 'scripts/script-con.sh'],
      ['deprovision', 'deprovision', null],
      ['custom', 'kept', null],
    ]);
  });
});

describe('the corpus, imported and built back', () => {
  it('every template whose files the corpus holds (Linux and Windows, ARM and bare) builds back to the same steps', { timeout: 300_000 }, async () => {
    const layout = await tempDir('aibgen-raw-');
    const broken = new Set(brokenJsonFiles());
    const templates = corpusFiles('.json').filter((f) => !broken.has(f));
    const urls: string[] = [];
    for (const file of templates)
      for (const match of (await readFile(join(CORPUS, file), 'utf8')).matchAll(/https:\/\/raw\.githubusercontent\.com\/[^"'\s]+/g)) urls.push(match[0]);
    await layOutRawUrls(layout, urls);
    const work = await tempDir('aibgen-import-corpus-');
    let roundTrips = 0;
    const forms = new Set<string>();
    for (const [i, file] of templates.entries()) {
      const target = join(work, String(i));
      const imported = await aibgen([
        'import',
        join(CORPUS, file),
        target,
        '--base-uri',
        BASE,
        '--map',
        `${RAW_PREFIX}=${layout}`,
        '--keep-unreachable',
        '--json',
      ]);
      if (imported.exitCode !== 0) {
        // Only what import cannot decide alone: the OS (no publisher), several templates in one file.
        expect(imported.stderr, file).toMatch(/does not tell the OS|holds \d+ image templates|holds no image template|not a literal object/);
        continue;
      }
      const report = JSON.parse(imported.stdout) as { os: string; steps: { action: string }[] };
      const built = await aibgen(['build', target, '--quiet', '--no-lint']);
      if (built.exitCode !== 0) {
        // The original does not validate: the imported project reports the same rules, nothing new.
        const before = await aibgen(['validate', join(CORPUS, file), '--format', 'json']);
        const rules = (out: string) => [...new Set(out.match(/AIB\d{3}/g) ?? [])].sort();
        expect(
          rules(built.stderr).filter((r) => !rules(before.stdout).includes(r)),
          file,
        ).toEqual([]);
        continue;
      }
      const original = await stepsOf(join(CORPUS, file));
      const after = await stepsOf(join(target, 'dist', 'template.json'));
      const fetchedOriginal = new Map<string, string>();
      for (const step of [...original.customize, ...original.validations]) {
        const uri = (step.scriptUri ?? step.sourceUri) as string | undefined;
        if (!uri?.startsWith(RAW_PREFIX)) continue;
        const local = join(layout, uri.slice(RAW_PREFIX.length));
        const bytes = await readFile(local).catch(() => undefined);
        if (bytes) fetchedOriginal.set(uri, sha(bytes));
      }
      const fetchedAfter = new Map<string, string>();
      for (const step of [...after.customize, ...after.validations]) {
        const uri = (step.scriptUri ?? step.sourceUri) as string | undefined;
        if (uri?.startsWith(BASE)) fetchedAfter.set(uri, step.sha256Checksum as string);
      }
      const names = (steps: Step[]) => steps.map((s) => s.name ?? null);
      expect(names(after.customize), file).toEqual(names(original.customize).map((n, k) => n ?? names(after.customize)[k]));
      const normalize = (s: Step, fetched: Map<string, string>) => {
        const c = comparable(s, fetched);
        delete c.name;
        return c;
      };
      expect(
        after.customize.map((s) => normalize(s, fetchedAfter)),
        file,
      ).toEqual(original.customize.map((s) => normalize(s, fetchedOriginal)));
      roundTrips++;
      forms.add(`${report.os}`);
    }
    expect(roundTrips).toBeGreaterThanOrEqual(10);
    expect([...forms].sort()).toEqual(['linux', 'windows']);
  });
});

describe('the conversions in test/fixtures/conversions are what import writes', () => {
  for (const name of ['linux-hello', 'windows-server-2019']) {
    it(name, async () => {
      const fixture = join(ROOT, 'test/fixtures/conversions', name);
      const spec = JSON.parse(await readFile(join(fixture, 'import.json'), 'utf8')) as { template: string; baseUri: string };
      const layout = await tempDir('aibgen-raw-');
      const urls = (await readFile(join(CORPUS, spec.template), 'utf8')).match(/https:\/\/raw\.githubusercontent\.com\/[^"'\s]+/g) ?? [];
      await layOutRawUrls(layout, urls);
      const dir = join(await tempDir(), name);
      const result = await aibgen(['import', join(CORPUS, spec.template), dir, '--base-uri', spec.baseUri, '--map', `${RAW_PREFIX}=${layout}`]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(await readFile(join(dir, 'aibgen.json'), 'utf8')).toBe(await readFile(join(fixture, 'aibgen.json'), 'utf8'));
      await mkdir(join(dir, 'dist'), { recursive: true });
    });
  }
});
