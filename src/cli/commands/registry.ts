/**
 * @module cli/commands/registry
 * `npm run --silent cli -- registry <sub-command> …`: the MONTHLY_MODELS lifecycle.
 *
 *   registry list [--json]                            every entry, one line each
 *   registry check [--service-url URL] [--json]       fetch + verify every enabled entry and the champion;
 *                                                     with --service-url also compare a deployed worker's
 *                                                     GET /models with the registry (drift); exit 1 on any failure
 *   registry retire <system_id> --reason "<text>"     enabled: false with a dated reason, in the file; audited
 *   registry promote <system_id> [--from D | --days N] [--to D] [--min-n 50] [--min-days 7]
 *                    [--shadow-days 14] [--force --reason "<why>"] [--dry-run] [--apply]
 *       decided by src/lifecycle/promotion.ts (verdict CHALLENGER BETTER on matched graded rows
 *       since training ended, gates passed, entry enabled, enough game days and bets); prints the
 *       exact Cloud Run command (gs:// path AND sha256), points the env file at the model,
 *       disables the entry, adds the previous champion as an enabled shadow entry for
 *       --shadow-days days; audited with the replaced champion's path and sha256 (what rollback
 *       restores) and the shadow entry
 *   registry rollback --reason "<text>" [--dry-run]   restore the previous champion from the audit trail
 *                                                     (and disable its catboost_v9_prev_<date> shadow entry)
 *   registry history [system_id] [--json]             the audit trail
 *   registry sync [--json]                            the registry's state into the model_registry table
 *
 * Common flags: --registry-file (default config/monthly-models.ts). The env file edited by
 * promote/rollback is the one the CLI read (--env-file, default config/local.env). Edits go
 * through src/lifecycle/registry-file.ts, which proves the file still parses and that only the
 * intended flag changed; nothing is written otherwise.
 *
 * This file is the entry (help and dispatch); each sub-command lives in registry/<sub>.ts and
 * what several share in registry/shared.ts.
 */
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { DEFAULT_ENV_FILE, applyEnvFile } from '../env-file.js';
import { existsSync } from 'node:fs';
import { SUB_HELP, usage, type RegistryDeps } from './registry/shared.js';
import { list } from './registry/list.js';
import { check } from './registry/check.js';
import { retire } from './registry/retire.js';
import { promote } from './registry/promote.js';
import { rollback } from './registry/rollback.js';
import { history } from './registry/history.js';
import { sync } from './registry/sync.js';

export { DEFAULT_ENV_FILE };
export type { RegistryDeps } from './registry/shared.js';

/** `registry --help`, with each sub-command's help under `sub`. */
export const help: CommandHelp = {
  usage: 'registry <list|check|retire|promote|rollback|history|sync> …',
  summary: 'The model lifecycle: the MONTHLY_MODELS registry, the champion variables and the audit trail.',
  example: ['registry list', 'registry history catboost_v9'],
  sub: SUB_HELP,
};

/** Dispatch `registry <sub-command> …` to src/cli/commands/registry/<sub>.ts; returns the exit code. */
export async function run(argv: string[], io: CliIo, deps: RegistryDeps = {}): Promise<number> {
  // Called directly (tests, scripts) with --env-file: take it as src/cli/index.ts would.
  if (argv.some((a) => a === '--env-file' || a.startsWith('--env-file='))) {
    const chosen = applyEnvFile(argv, io.env, io.cwd, existsSync);
    argv = chosen.argv;
    io = { ...io, env: chosen.env, envFile: chosen.envFile };
  }
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'list':
      return list(rest, io, deps);
    case 'check':
      return check(rest, io, deps);
    case 'retire':
      return retire(rest, io, deps);
    case 'promote':
      return promote(rest, io, deps);
    case 'rollback':
      return rollback(rest, io, deps);
    case 'history':
      return history(rest, io, deps);
    case 'sync':
      return sync(rest, io, deps);
    default:
      throw usage(sub ? `unknown registry sub-command '${sub}'` : undefined);
  }
}
