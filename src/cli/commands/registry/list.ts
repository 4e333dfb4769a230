/**
 * @module cli/commands/registry/list
 * `registry list [--json]`: every registry entry, one line each, and the champion.
 */
import { parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { CHAMPION_SYSTEM_ID } from '../../../../config/registry.js';
import { cliConfig } from '../../../jobs/cli-support.js';
import { renderTable } from '../../../jobs/format.js';
import { fmt } from '../../../metrics/metrics.js';
import { parseRegistryText } from '../../../lifecycle/registry-file.js';
import { emitJson } from '../../json.js';
import { type LifecycleDeps } from '../evaluate.js';
import { COMMON, readText, today } from './shared.js';

/** `registry list [--json]`: prints every entry and the champion; returns the exit code (0). */
export async function list(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON, json: { type: 'boolean', default: false } });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile), registryFile);
  const config = deps.config ?? cliConfig(io);
  if (values.json) {
    emitJson(io, 'registry.list', {
      registry_file: registryFile,
      env_file: io.envFile ?? null,
      champion: { system_id: CHAMPION_SYSTEM_ID, model_path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 ?? null },
      entries: Object.entries(registry).map(([id, e]) => ({ system_id: id, ...e, sha256: e.sha256 ?? null, eval_start: e.eval_start ?? null, eval_end: e.eval_end ?? null })),
    });
    return 0;
  }
  const rows = Object.entries(registry).map(([id, e]) => [
    id,
    e.enabled ? 'yes' : 'no',
    e.model_path,
    e.train_start && e.train_end ? `${e.train_start}..${e.train_end}` : `unknown${e.shadow_from ? `; shadow ${e.shadow_from}..${e.shadow_until ?? "?"}` : ""}`,
    e.eval_start ? `${e.eval_start}..${e.eval_end ?? '?'}` : '-',
    e.backtest_mae.toFixed(3),
    fmt(e.backtest_hit_rate_all, 1),
    `${fmt(e.backtest_hit_rate_edge_3plus, 1)} (N=${e.backtest_n_edge_3plus})`,
    e.feature_set,
    e.sha256 ? e.sha256.slice(0, 12) : '-',
  ]);
  io.out(
    `champion ${CHAMPION_SYSTEM_ID}: ${config.CATBOOST_V9_MODEL_PATH}${config.CATBOOST_V9_MODEL_SHA256 ? ` (sha256 ${config.CATBOOST_V9_MODEL_SHA256.slice(0, 12)})` : ''}\n` +
      `${registryFile}: ${rows.length} entr${rows.length === 1 ? 'y' : 'ies'}, ${Object.values(registry).filter((e) => e.enabled).length} enabled\n`,
  );
  if (rows.length > 0) {
    io.out(renderTable(['system_id', 'enabled', 'model_path', 'train', 'eval', 'MAE', 'HR all', 'HR 3+ (N)', 'features', 'sha256'], rows));
  }
  // Previous champions kept in shadow after a promotion: say when their time is up.
  const now = today(deps, config);
  for (const [id, e] of Object.entries(registry)) {
    if (e.enabled && e.shadow_until && e.shadow_until < now) {
      io.out(`note: ${id} was to shadow until ${e.shadow_until}: decide (registry promote ${id} to roll back, or registry retire ${id} --reason "…")\n`);
    }
  }
  return 0;
}
