/**
 * @module cli/commands/predictions
 * `npm run --silent cli -- predictions list --game-date <D> [--system <id>] [--all]`
 * Prints stored prediction rows as JSON lines: the current row per player and system (the one
 * current-row rule), or with --all every stored row including superseded ones.
 * Opens the embedded database read-only; while a worker holds the file it says so (use the
 * worker's HTTP endpoints or stop it).
 */
import { parseFlags, requireDate } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';

const listHelp: CommandHelp = {
  usage: 'predictions list --game-date YYYY-MM-DD [--system <id>] [--all]',
  summary: 'Stored prediction rows as JSON lines: the current row per player and system, or every stored row with --all.',
  flags: [
    { flag: '--game-date <date>', text: 'the slate date (required)' },
    { flag: '--system <id>', default: 'every system', text: 'only this system_id (refused, listing the known ones, when unknown)' },
    { flag: '--registry-file <path>', default: 'config/monthly-models.ts', text: 'where known system_ids are listed' },
    { flag: '--all', default: 'off', text: 'include superseded rows (history)' },
  ],
  example: 'predictions list --game-date 2026-12-01 --system catboost_v9',
};

export const help: CommandHelp = { ...listHelp, usage: 'predictions list …', sub: { list: listHelp } };
import { PwError } from '../../errors.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { openStorage } from '../../storage/open.js';
import { DEFAULT_REGISTRY_FILE, loadRegistryFile, requireKnownSystemId } from '../registry-source.js';

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'list') throw new PwError('PW_ERR_CLI_USAGE', undefined, 'usage: predictions list --game-date <D> [--system <id>] [--all]');
  const { values } = parseFlags(rest, { 'game-date': { type: 'string' }, system: { type: 'string' }, all: { type: 'boolean' }, 'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE } });
  const gameDate = requireDate(values['game-date'], 'game-date');
  const registryFile = String(values['registry-file']);
  // A mistyped --system must not print nothing and exit 0: it is refused, listing the known ids.
  const registry = typeof values.system === 'string' ? (await loadRegistryFile(io, registryFile)).registry : undefined;
  const storage = await openStorage(cliConfig(io), { readOnly: true });
  try {
    const systems = typeof values.system === 'string' ? [values.system] : undefined;
    if (systems && registry) {
      const stored = new Set((await storage.predictions.allPredictions(gameDate)).map((r) => r.system_id));
      requireKnownSystemId(systems[0]!, registry, registryFile, stored);
    }
    const rows = values.all
      ? (await storage.predictions.allPredictions(gameDate)).filter((r) => !systems || systems.includes(r.system_id))
      : await storage.predictions.currentPredictions(gameDate, systems);
    for (const row of rows) io.out(`${JSON.stringify(row)}\n`);
    io.err(`${rows.length} rows for ${gameDate} from ${storage.location}\n`);
  } finally {
    await storage.close();
  }
  return 0;
}
