import type { TextEdit } from '../util/text-position.js';

/**
 * A place in a template (JSON or Bicep) where a fetched file's checksum belongs: a Shell or
 * PowerShell step with `scriptUri`, or a File step with `sourceUri`. Format adapters find the
 * sites and know how to edit them; the fill logic in between is format-free.
 */
export interface ChecksumSite {
  templateName: string;
  customizerLabel: string;
  customizerName: string | undefined;
  type: string;
  /** JSON pointer (JSON templates) or a descriptive path (Bicep). */
  pointer: string;
  uriProperty: 'scriptUri' | 'sourceUri';
  /** The URI as the file states it, after the format's own unescaping. */
  uri: UriValue;
  uriPosition: Position;
  /** Something the user must know about the value used (a param default a deployment may override). */
  note?: string;
  /** Bicep: where the step's object literal starts in the file (to match the compiler's evaluated steps to it). */
  objectOffset?: number;
  checksum: ChecksumValue | undefined;
  /** Edits that make the checksum read `sha256` (replace or insert). */
  edit(sha256: string): TextEdit[];
}

export interface Position {
  line: number;
  column: number;
}

export type UriValue = { kind: 'literal'; value: string } | { kind: 'unresolved'; text: string; reason: string };

export interface ChecksumValue {
  /** The literal value, or undefined when it is not a literal string (an expression, a parameter). */
  literal: string | undefined;
  text: string;
  position: Position;
}

/** What a format adapter gives the fill logic. */
export interface SiteDocument {
  file: string;
  sites: ChecksumSite[];
  /** The file's text exactly as read (with BOM if any), and a way to rebuild it with edits. */
  render(edits: readonly TextEdit[]): string;
  /** Lists of steps in the document where two steps share a name (reported, not fatal). */
  duplicateNames: { templateName: string; name: string; positions: Position[] }[];
}
