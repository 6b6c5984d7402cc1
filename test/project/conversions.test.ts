import { copyFile, cp, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/util/sha256.js';
import { CORPUS, ROOT, aibgen, tempDir } from '../helpers.js';

type Step = Record<string, unknown> & { type: string; name?: string };

const conversions: { name: string; template: string; files: Record<string, string> }[] = [
  {
    name: 'linux-hello',
    template: 'Azure__azvmimagebuilder/quickquickstarts__0_Creating_a_Custom_Linux_Managed_Image__helloImageTemplateLinux.json',
    files: {
      'scripts/customizeScript.sh': 'Azure__azvmimagebuilder/quickquickstarts__customizeScript.sh',
      'scripts/customizeScript2.sh': 'Azure__azvmimagebuilder/quickquickstarts__customizeScript2.sh',
      'files/index.html': 'Azure__azvmimagebuilder/quickquickstarts__exampleArtifacts__buildArtifacts__index.html',
    },
  },
  {
    name: 'windows-server-2019',
    template: 'gbeaud__avd-automated-pipeline/avd-azure-image-builder__WindowsServer2019.json',
    files: {
      'scripts/ImageConfigurations.ps1': 'gbeaud__avd-automated-pipeline/avd-azure-image-builder__ImageConfigurations.ps1',
      'files/index.html': 'Azure__azvmimagebuilder/quickquickstarts__exampleArtifacts__buildArtifacts__index.html',
    },
  },
];

/** The original's downloads by the corpus copy of what their URI names (the conversions use exactly those files). */
function downloaded(uri: string, files: Record<string, string>): string | undefined {
  const last = uri.split('/').pop() as string;
  return Object.values(files).find((f) => f.endsWith(`__${last}`));
}

describe('real templates converted to aibgen projects build to the same steps', () => {
  it.each(conversions)('$name', async ({ name, template, files }) => {
    const root = join(await tempDir(), name);
    await cp(join(ROOT, 'test/fixtures/conversions', name), root, { recursive: true });
    await copyFile(join(CORPUS, template), join(root, 'template.json'));
    for (const [target, source] of Object.entries(files)) {
      await mkdir(join(root, target, '..'), { recursive: true });
      await copyFile(join(CORPUS, source), join(root, target));
    }
    // Built as the original was written: lint rightly refuses the Linux original's 'apt install' without -y
    // (it hangs or aborts on the VM), so that one builds with --no-lint, after checking lint says so.
    const linted = await aibgen(['build', root, '--quiet']);
    if (name === 'linux-hello') {
      expect(linted.exitCode).toBe(1);
      expect(linted.stderr).toContain('AIB208 install-without-yes  customize[4] "InstallUpgrades": apt install without -y');
    } else {
      // The tutorial's placeholders (<region>, <runOutputName> ...) are still in it: warnings, nothing else.
      expect(linted.stderr.split('\n').filter((l) => l && !/ warning {2}AIB188 /.test(l))).toEqual([]);
      expect(linted.exitCode).toBe(0);
    }
    const result = await aibgen(['build', root, '--json', '--no-lint']);
    expect(result.stderr.split('\n').filter((l) => l && !/ warning {2}AIB188 /.test(l))).toEqual([
      'aibgen: note: scripts and inline steps were not linted (--no-lint)',
    ]);
    expect(result.exitCode).toBe(0);

    const original = (parse(await readFile(join(CORPUS, template), 'utf8')) as { properties: { customize: Step[] } }).properties.customize;
    const built = (JSON.parse(await readFile(join(root, 'dist/template.json'), 'utf8')) as { properties: { customize: Step[] } }).properties.customize;
    expect(built.map((s) => s.type)).toEqual(original.map((s) => s.type));
    for (const [index, before] of original.entries()) {
      const after = built[index] as Step;
      if (before.name !== undefined) expect(after.name).toBe(before.name);
      for (const key of ['inline', 'destination', 'runElevated', 'restartCheckCommand', 'restartTimeout', 'searchCriteria', 'filters', 'updateLimit']) {
        expect(after[key], `${String(before.name)}.${key}`).toEqual(before[key]);
      }
      const uri = (before.scriptUri ?? before.sourceUri) as string | undefined;
      if (uri) {
        // What the new template downloads is byte for byte what the original downloaded, pinned.
        const bytes = await readFile(join(CORPUS, downloaded(uri, files) as string));
        expect(after.sha256Checksum).toBe(sha256Hex(bytes));
        if (typeof before.sha256Checksum === 'string') expect(after.sha256Checksum).toBe(before.sha256Checksum);
      }
    }
    // Everything outside customize is the original's, byte for byte.
    const originalText = await readFile(join(CORPUS, template), 'utf8');
    const builtText = await readFile(join(root, 'dist/template.json'), 'utf8');
    const head = originalText.slice(0, originalText.indexOf('"customize"'));
    expect(builtText.startsWith(head)).toBe(true);
    expect((await aibgen(['build', root, '--check', '--no-lint'])).exitCode).toBe(0);
  });
});
