import { join } from 'node:path';
import { getNodeValue } from 'jsonc-parser';
import { ProjectError, UsageError } from '../errors.js';
import type { Project } from '../project/index.js';
import { readArtifactsFile, type ArtifactRecord } from '../project/index.js';
import { findImageTemplates, inferOs, parseJsonDocument, readTemplateText } from '../template/index.js';
import type { Os } from '../util/os.js';

/**
 * What `aibgen test` will run: the built template's customize steps, then its inVMValidations, each
 * with where its bytes come from (an artifact of this project, or an outside URL) and where it is
 * described in the project (aibgen.json's step, the script's source).
 */

export type PlannedKind = 'file' | 'script' | 'inline' | 'unsupported';

export interface PlannedStep {
  list: 'customize' | 'inVMValidations';
  index: number;
  name: string;
  type: string;
  kind: PlannedKind;
  /** file and script steps: the URI, the artifact behind it (when it is this project's), the checksum to verify. */
  uri?: string;
  artifact?: string;
  sha256?: string;
  destination?: string;
  inline?: string[];
  /** Why a step cannot run here (a Windows customizer). */
  why?: string;
  /** Where the project describes it: `aibgen.json:12:5  customize[2] "install"`, and its source file when there is one. */
  source?: string;
}

type Json = Record<string, unknown>;

export interface Plan {
  template: string;
  os: Os;
  steps: PlannedStep[];
  records: ArtifactRecord[];
  /** The build's time limit (buildTimeoutInMinutes, default 240). */
  timeoutMinutes: number;
}

/** The project step that made a customizer: the same name, or the name its generated steps start with (a payload's extract step). */
function sourceOf(project: Project, list: PlannedStep['list'], name: string): string | undefined {
  const steps = list === 'customize' ? project.steps : (project.validation?.steps ?? []);
  const step = steps.find((s) => s.name === name) ?? steps.find((s) => name.startsWith(`${s.name}-`));
  if (!step) return undefined;
  const file = step.kind === 'script' ? step.script.given : step.kind === 'payload' ? step.payload.given : step.kind === 'file' ? step.file.given : undefined;
  return `${step.at}  ${step.where} "${step.name}"${file ? ` (${file})` : ''}`;
}

export async function planOf(project: Project): Promise<Plan> {
  let text: string;
  try {
    text = await readTemplateText(project.output.path);
  } catch {
    throw new UsageError(`${project.output.given} does not exist: run aibgen build first, then aibgen test`);
  }
  const doc = parseJsonDocument(project.output.given, text);
  const [template] = findImageTemplates(doc);
  if (!template?.properties) throw new ProjectError(`${project.output.given}: holds no image template; run aibgen build`);
  const os = project.os ?? inferOs(template);
  if (!os) throw new ProjectError(`${project.file}: the OS is not known; set "os"`);
  const records = await readArtifactsFile(project.siblings.artifactsJson, join(project.output.given, '..', 'artifacts.json'));
  const byUri = new Map(records.map((r) => [r.uri, r]));
  const props = getNodeValue(template.properties) as Json;
  const validate = (props.validate ?? {}) as Json;
  const lists: [PlannedStep['list'], unknown][] = [
    ['customize', props.customize],
    ['inVMValidations', validate.inVMValidations],
  ];
  const steps: PlannedStep[] = [];
  for (const [list, value] of lists) {
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw new ProjectError(`${project.output.given}: ${list} is not a list (an expression?); aibgen test runs literal steps only`);
    value.forEach((raw: unknown, index) => {
      const step = (raw ?? {}) as Json;
      const type = String(step.type);
      const name = typeof step.name === 'string' ? step.name : `${list}[${index}]`;
      const base = { list, index, name, type, source: sourceOf(project, list, name) };
      const uri = typeof step.scriptUri === 'string' ? step.scriptUri : typeof step.sourceUri === 'string' ? step.sourceUri : undefined;
      const record = uri ? byUri.get(uri) : undefined;
      const fetched = {
        ...(uri ? { uri } : {}),
        ...(record ? { artifact: join(project.dir, record.file) } : {}),
        ...(typeof step.sha256Checksum === 'string' && step.sha256Checksum ? { sha256: step.sha256Checksum } : {}),
      };
      if (type === 'File') {
        steps.push({ ...base, kind: 'file', ...fetched, destination: typeof step.destination === 'string' ? step.destination : '' });
      } else if (type === 'Shell' && uri) {
        steps.push({ ...base, kind: 'script', ...fetched });
      } else if (type === 'Shell' && Array.isArray(step.inline)) {
        steps.push({ ...base, kind: 'inline', inline: step.inline.map(String) });
      } else {
        steps.push({ ...base, kind: 'unsupported', why: `a ${type} step cannot run in a Linux container` });
      }
    });
  }
  const timeout = Number(props.buildTimeoutInMinutes);
  return { template: project.output.given, os, steps, records, timeoutMinutes: Number.isFinite(timeout) && timeout > 0 ? timeout : 240 };
}
