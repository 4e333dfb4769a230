/**
 * Wiring shared by the post-game CLI commands (grade, signals, picks, compare): config, storage
 * and the expected system ids. Commands accept injected dependencies so tests run them against an
 * in-memory storage without touching the environment.
 */
import { loadConfig, type Config } from '../../config/env.js';
import { CHAMPION_SYSTEM_ID, enabledEntries, type Registry } from '../../config/registry.js';
import type { Storage } from '../storage/storage.js';
import type { CliIo } from '../cli/io.js';

export interface JobDeps {
  /** Injected storage (tests); when absent, the command opens and closes its own. */
  storage?: Storage;
  config?: Config;
  now?: Date;
}

/**
 * The CLI never receives Pub/Sub pushes, so push authentication settings do not apply: default
 * PUSH_AUTH to off here rather than demand a PUSH_AUDIENCE for an offline report.
 */
export function cliConfig(io: CliIo): Config {
  return loadConfig({ PUSH_AUTH: 'off', ...io.env });
}

/**
 * Champion + the enabled entries of `registry` (the one the command read with --registry-file,
 * as the worker reads its own): the systems that should have rows each date.
 */
export function expectedSystemIds(registry: Registry): string[] {
  return [CHAMPION_SYSTEM_ID, ...enabledEntries(registry).map(([id]) => id)];
}

/** Run `fn` with the injected storage, or with one opened from config and closed afterwards. */
export async function withStorage<T>(deps: JobDeps, config: Config, fn: (storage: Storage) => Promise<T>): Promise<T> {
  if (deps.storage) return fn(deps.storage);
  const { openStorage } = await import('../storage/open.js');
  const storage: Storage = await openStorage(config);
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
