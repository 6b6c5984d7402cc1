import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { mapLimit } from '../../src/util/concurrency.js';
import { aibgen, CORPUS, itWith, tempDir } from '../helpers.js';

/**
 * build with every .bicep of the corpus as the project's template (its folder's other .bicep files next to it, an
 * inline step added): nothing crashes, and each file is built, or refused, or found wrong, for the reason that is
 * true of it (checked by hand against the file; the line:column is where the file says it).
 */
const EXPECTED: Record<string, [exitCode: number, says: RegExp]> = {
  'Azure__PSRule.Rules.Azure/docs__examples__resources__image-builder.bicep': [1, /image-builder\.bicep:65:17 {2}AIB120 .*PowerShell runs only on Windows/],
  'Azure__ResourceModules/modules__compute__image__tests__e2e__max__dependencies.bicep': [2, /could not evaluate the template \(it does not compile\)[\s\S]*BCP091/],
  'Azure__ResourceModules/modules__virtual-machine-images__image-template__main.bicep': [2, /:182:16 {2}resource imageTemplate: customize is not a list build can add to: its value is an expression/],
  'Azure__avdaccelerator/Bicep__Modules__image-template.bicep': [2, /could not evaluate the template \(the deployment cannot be evaluated with stand-ins for scriptUri/],
  'Azure__avdaccelerator/workload__bicep__deploy-custom-image.bicep': [2, /declares no Microsoft\.VirtualMachineImages\/imageTemplates resource/],
  'Azure__azure-quickstart-templates/demos__imagebuilder-windowsbaseline__main.bicep': [2, /could not evaluate the template \(the deployment cannot be evaluated with stand-ins for _artifactsLocation/],
  'Azure__bicep-registry-modules/avm__res__virtual-machine-images__image-template__main.bicep': [2, /:153:15 {2}resource imageTemplate: its properties spread another object/],
  'Azure__bicep-registry-modules/avm__res__virtual-machine-images__image-template__tests__e2e__max__main.test.bicep': [2, /declares no Microsoft\.VirtualMachineImages\/imageTemplates resource/],
  'dstamand-msft__DevBoxImageBuilder/IaC__aib.module-private.bicep': [2, /os: the template's source does not tell the OS/],
  'dstamand-msft__DevBoxImageBuilder/IaC__aib.module.bicep': [2, /os: the template's source does not tell the OS/],
  'jamasten__AzureImageBuilder/modules__imageTemplate.bicep': [2, /:281:16 {2}resource imageTemplate: customize is not a list build can add to/],
  'jonathanrelf__azure-image-builder-bicep/AzureImageBuilderExample.bicep': [0, /AzureImageBuilderExample\.bicep:74:7 {2}warning {2}AIB187 /],
  'kkamegawa__windowsjpimagebuilder/images__windows2019image.bicep': [0, /windows2019image\.bicep:92:15 {2}warning {2}AIB104 /],
  'kkamegawa__windowsjpimagebuilder/images__windows2019image_gen2.bicep': [0, /^step /m],
  'kkamegawa__windowsjpimagebuilder/images__windows2022image.bicep': [0, /windows2022image\.bicep:86:15 {2}warning {2}AIB104 /],
  'kkamegawa__windowsjpimagebuilder/images__windows2022image@be68e48.bicep': [0, /windows2022image@be68e48\.bicep:74:15 {2}warning {2}AIB104 /],
  'kkamegawa__windowsjpimagebuilder/images__windows2025image.bicep': [0, /^step /m],
  'kkamegawa__windowsjpimagebuilder/images__windows2025image@590278b.bicep': [1, /windows2025image@590278b\.bicep:55:25 {2}AIB107 /],
  'lukearp__Azure-IAC-Bicep/Modules__Microsoft.VirtualMachineImages__imageTemplates.bicep': [2, /:39:15 {2}resource image: properties has no customize list/],
};

const bicepIt = itWith('bicep');

describe('build with each corpus .bicep as the template', () => {
  bicepIt('builds, refuses or finds fault as is true of each file; what it builds holds the new step and is current on --check', async () => {
    const files: string[] = [];
    for (const folder of await readdir(CORPUS, { withFileTypes: true }))
      if (folder.isDirectory()) for (const name of await readdir(join(CORPUS, folder.name))) if (name.endsWith('.bicep')) files.push(`${folder.name}/${name}`);
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
    const env = { XDG_CACHE_HOME: await tempDir('aibgen-cache-') };
    const outcomes = await mapLimit(files, 3, async (file) => {
      const root = await tempDir();
      await mkdir(join(root, 't'));
      for (const sibling of await readdir(join(CORPUS, dirname(file))))
        if (sibling.endsWith('.bicep')) await cp(join(CORPUS, dirname(file), sibling), join(root, 't', sibling));
      const project = { template: `t/${basename(file)}`, output: 't/out.bicep', artifacts: 'dist/artifacts', baseUri: 'https://contoso.blob.core.windows.net/aib/', customize: [{ name: 'hello', inline: ['echo hello'] }] };
      await writeFile(join(root, 'aibgen.json'), JSON.stringify(project, null, 2));
      const result = await aibgen(['build', root], { cwd: root, env });
      const check = result.exitCode === 0 ? await aibgen(['build', root, '--check'], { cwd: root, env }) : undefined;
      const output = result.exitCode === 0 ? await readFile(join(root, 't/out.bicep'), 'utf8') : undefined;
      return { file, result, check, output };
    });
    for (const { file, result, check, output } of outcomes) {
      const [exitCode, says] = EXPECTED[file]!;
      const text = result.stdout + result.stderr;
      expect(text, file).not.toContain('internal error');
      expect(result.exitCode, `${file}\n${text}`).toBe(exitCode);
      expect(text, file).toMatch(says);
      if (exitCode !== 0) continue;
      expect(output, file).toContain("name: 'hello'");
      expect(check?.exitCode, `${file} --check\n${check?.stderr}`).toBe(0);
    }
    // 19 deployments, each through the compiler: minutes on a loaded 2-core machine.
  }, 300_000);
});
