import { describe, expect, it } from 'vitest';
import { parseJsonDocument } from '../../src/template/index.js';
import { validateDocument } from '../../src/validate/index.js';

/**
 * validate says no more and no less than it knows: ARM's own resource properties are judged by
 * ARM's rules (no false errors), values of the wrong JSON type are errors (never silence), and what
 * was assumed about the API version is said, with why.
 */

type Json = Record<string, unknown>;

const body = (): Json => ({
  source: { type: 'PlatformImage', publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' },
  customize: [{ type: 'Shell', name: 'hello', inline: ['echo hello'] }],
  distribute: [
    {
      type: 'ManagedImage',
      imageId: '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aib/providers/Microsoft.Compute/images/x',
      location: 'westeurope',
      runOutputName: 'x',
    },
  ],
});

const identity = {
  type: 'UserAssigned',
  userAssignedIdentities: {
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/aib/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib': {},
  },
};

function arm(resource: Json, parameters: Json = {}): Json {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters,
    resources: [
      {
        type: 'Microsoft.VirtualMachineImages/imageTemplates',
        apiVersion: '2024-02-01',
        name: 't',
        location: 'westeurope',
        identity,
        properties: body(),
        ...resource,
      },
    ],
  };
}

const check = (value: unknown) => validateDocument(parseJsonDocument('t.json', JSON.stringify(value, null, 2)));
const rules = (value: unknown) => check(value).findings.map((f) => `${f.severity} ${f.rule}`);

describe("ARM's envelope is judged by ARM's rules, at every level", () => {
  it('a child trigger (and the template itself) may carry dependsOn, condition, copy, comments and scope', () => {
    const template = arm({
      dependsOn: ["[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', 'aib')]"],
      condition: true,
      comments: 'the image',
      resources: [
        {
          type: 'triggers',
          apiVersion: '2022-07-01',
          name: 'source',
          dependsOn: ["[resourceId('Microsoft.VirtualMachineImages/imageTemplates', 't')]"],
          condition: "[equals(parameters('env'), 'prod')]",
          comments: 'rebuild on new source images',
          properties: { kind: 'SourceImage' },
        },
      ],
    });
    expect(rules(template)).toEqual([]);
  });

  it('but dependsOn that is not a list of strings, or a condition that is not a boolean, is an error', () => {
    const template = arm({
      dependsOn: 'x',
      resources: [{ type: 'triggers', apiVersion: '2024-02-01', name: 's', condition: 'yes', properties: { kind: 'SourceImage' } }],
    });
    expect(rules(template)).toEqual(['error AIB180', 'error AIB180']);
    const unknown = arm({ resources: [{ type: 'triggers', apiVersion: '2023-01-01', name: 's', properties: { kind: 'SourceImage' } }] });
    expect(rules(unknown)).toEqual(['error AIB183']);
  });
});

describe('wrong JSON types are errors', () => {
  for (const key of ['properties', 'customize', 'distribute', 'source', 'validate'])
    for (const value of ['x', 5]) {
      it(`${key}: ${JSON.stringify(value)}`, () => {
        const resource = arm({});
        const r = (resource.resources as Json[])[0] as Json;
        if (key === 'properties') r.properties = value;
        else (r.properties as Json)[key] = value;
        const result = check(resource);
        expect(result.findings.filter((f) => f.severity === 'error').length, JSON.stringify(result.findings)).toBeGreaterThan(0);
      });
    }
});

describe('what was assumed is said', () => {
  it('an apiVersion parameter without a default: which version the rules came from, and why', () => {
    const template = arm({ apiVersion: "[parameters('apiVersion')]" }, { apiVersion: { type: 'string' } });
    expect(check(template).notes).toContain(
      'apiVersion is the parameter apiVersion without a default: checked against the newest API, 2025-10-01; pass --api-version to choose',
    );
    const withDefault = arm({ apiVersion: "[parameters('apiVersion')]" }, { apiVersion: { type: 'string', defaultValue: '2022-07-01' } });
    expect(check(withDefault).notes.join('\n')).toContain('checked against its default, 2022-07-01 (a deployment may pass another; use --api-version)');
    const missing = arm({});
    delete ((missing.resources as Json[])[0] as Json).apiVersion;
    expect(check(missing).notes.join('\n')).toContain('the template names no apiVersion: checked against the newest API');
    expect(JSON.stringify(check(template))).not.toContain('this template uses');
  });
});

describe('identity and placeholders', () => {
  it('UserAssigned without userAssignedIdentities is an error, as the empty map is', () => {
    expect(rules(arm({ identity: { type: 'UserAssigned' } }))).toEqual(['error AIB160']);
    expect(rules(arm({ identity: { type: 'UserAssigned', userAssignedIdentities: {} } }))).toEqual(['error AIB160']);
  });

  it('tutorial placeholders left in values are warnings; inline commands are left alone', () => {
    const template = arm({ location: '<region>' });
    const r = (template.resources as Json[])[0] as Json;
    ((r.properties as Json).distribute as Json[])[0]!.runOutputName = '<runOutputName>';
    (r.properties as Json).customize = [{ type: 'Shell', name: 'page', inline: ['echo "<html>" > /tmp/index.html'] }];
    const found = check(template).findings;
    expect(found.map((f) => `${f.severity} ${f.rule}`)).toEqual(['warning AIB188', 'warning AIB188']);
    expect(found[0]!.message).toContain('<region>');
  });
});
