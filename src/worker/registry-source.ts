/**
 * @module worker/registry-source
 * The worker reads MONTHLY_MODELS the way `registry check` does (issue 7, class 11): the text
 * of config/monthly-models.ts through the strict literal parser of src/lifecycle/registry-file.ts,
 * which refuses a duplicate key (evaluating the module would silently keep the last copy under
 * the first id; tsx, which `npm start` uses, does not type-check, so tsc's own refusal never runs).
 *
 * Where the source file is not shipped (the compiled image holds only dist/), the compiled module
 * is parsed with the same schema; the build's `tsc` has then already refused duplicate keys.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseRegistry, type Registry } from '../../config/registry.js';
import { parseRegistryText } from '../lifecycle/registry-file.js';

/** config/monthly-models.ts next to this checkout's config/ (src/worker → ../../config). */
export const REGISTRY_SOURCE_FILE = fileURLToPath(new URL('../../config/monthly-models.ts', import.meta.url));

export interface LoadedRegistry {
  registry: Registry;
  /** The file read with the strict parser, or 'compiled module' when the source is absent. */
  source: string;
}

/** The validated registry (throws PW_ERR_REGISTRY naming the entry, e.g. a duplicate key). */
export async function loadWorkerRegistry(file: string = REGISTRY_SOURCE_FILE): Promise<LoadedRegistry> {
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) return { registry: parseRegistryText(text, file), source: file };
  const { MONTHLY_MODELS } = await import('../../config/monthly-models.js');
  return { registry: parseRegistry(MONTHLY_MODELS), source: 'compiled module' };
}
