/**
 * @module cli/commands/registry/sync
 * `registry sync [--json]`: the registry's state into the model_registry table.
 */
import { parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { renderTable } from '../../../jobs/format.js';
import { parseRegistryText } from '../../../lifecycle/registry-file.js';
import { registrySnapshotRows } from '../../../lifecycle/registry-sync.js';
import { emitJson } from '../../json.js';
import { type LifecycleDeps } from '../evaluate.js';
import { withStorage } from '../../../jobs/cli-support.js';
import { COMMON, readText, configOf } from './shared.js';

/** `registry sync [--json]`: upserts the registry snapshot into model_registry; returns 0. */
export async function sync(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON, json: { type: 'boolean', default: false } });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile), registryFile);
  const config = configOf(io, deps);
  const source = `${registryFile}${io.envFile ? ` + ${io.envFile}` : ''}`;
  const rows = await withStorage(deps, config, async (storage) => {
    const next = registrySnapshotRows({
      registry,
      champion: { path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 },
      previous: await storage.registry.all(),
      source,
      now: deps.now ?? new Date(),
    });
    await storage.registry.upsert(next);
    return next;
  });
  if (values.json) {
    emitJson(io, 'registry.sync', { source, rows });
    return 0;
  }
  io.out(`synced ${rows.length} row(s) from ${source} into nba_predictions.model_registry\n`);
  io.out(renderTable(['system_id', 'role', 'enabled', 'in_registry', 'model_path', 'sha256'], rows.map((r) => [r.system_id, r.role, String(r.enabled), String(r.in_registry), r.model_path, r.sha256?.slice(0, 12) ?? '-'])));
  return 0;
}
