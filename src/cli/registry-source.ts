/**
 * @module cli/registry-source
 * The CLI's one way to read the registry file (`--registry-file`, default
 * config/monthly-models.ts): as text through the literal parser, never by importing the module, so
 * a bad file gives `file:line` and a hint instead of "True is not defined"; and the one check that
 * a system_id a command was given is known.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PwError, describeError } from '../errors.js';
import { CHAMPION_SYSTEM_ID, type Registry } from '../../config/registry.js';
import { parseRegistryText } from '../lifecycle/registry-file.js';
import type { CliIo } from './io.js';

export const DEFAULT_REGISTRY_FILE = 'config/monthly-models.ts';

/** Read a file the operator named; PW_ERR_JOB_INPUT naming it when it cannot be read. */
export async function readOperatorFile(io: CliIo, file: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (err) {
    throw new PwError('PW_ERR_JOB_INPUT', { cause: err }, `cannot read ${file}: ${describeError(err)}`);
  }
}

/** The registry file's text and its validated entries. */
export async function loadRegistryFile(io: CliIo, file: string = DEFAULT_REGISTRY_FILE): Promise<{ text: string; registry: Registry }> {
  const text = await readOperatorFile(io, file);
  return { text, registry: parseRegistryText(text, file) };
}

/**
 * Refuse a system_id that is neither the champion, a registry entry (enabled or not) nor among
 * `alsoKnown` (e.g. ids with stored rows): a typo must not produce an empty report and exit 0.
 * The error lists every known id.
 */
export function requireKnownSystemId(id: string, registry: Registry, registryFile: string, alsoKnown: Iterable<string> = []): void {
  const known = new Set([CHAMPION_SYSTEM_ID, ...Object.keys(registry), ...alsoKnown]);
  if (known.has(id)) return;
  throw new PwError('PW_ERR_CLI_USAGE', undefined, `unknown system_id '${id}': not the champion, not in ${registryFile}, no stored rows (known: ${[...known].sort().join(', ')})`);
}
