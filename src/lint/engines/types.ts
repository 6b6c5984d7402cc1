import type { Finding } from '../../findings/index.js';
import type { EngineInfo } from './find.js';

/** What one engine gave for a lint run. */
export interface EngineRun {
  findings: Finding[];
  /** What could not be checked because the engine is missing, and how to fix that. */
  notes: string[];
  /** The engine that ran, when one did. */
  engine?: EngineInfo;
}
