/**
 * MONTHLY_MODELS: the challenger registry. Key = system_id. Paste the snippet printed by the
 * evaluation tool here; set `enabled: false` (with a reason comment) to retire. This is the only
 * list of challengers: the worker, /models, grading and signals all read it through
 * config/registry.ts.
 *
 * The entries below are the demo challengers shipped in models/ for the embedded default.
 */
import type { RegistryEntryInput } from './registry.js';

export const MONTHLY_MODELS: Record<string, RegistryEntryInput> = {};
