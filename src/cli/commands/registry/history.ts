/**
 * @module cli/commands/registry/history
 * `registry history [system_id] [--json]`: the audit trail (model_registry_events).
 */
import { parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { systemIdSchema } from '../../../../config/registry.js';
import { renderTable } from '../../../jobs/format.js';
import { eventsFor, historyRows } from '../../../lifecycle/audit.js';
import { emitJson } from '../../json.js';
import { loadRegistryFile, requireKnownSystemId } from '../../registry-source.js';
import { type LifecycleDeps } from '../evaluate.js';
import { withStorage } from '../../../jobs/cli-support.js';
import { COMMON, usage, configOf } from './shared.js';

/** `registry history [system_id] [--json]`: prints the audit trail; returns 0. */
export async function history(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, json: { type: 'boolean', default: false } }, true);
  if (positionals.length > 1) throw usage('history takes at most one system_id');
  const id = positionals[0];
  if (id !== undefined && !systemIdSchema.safeParse(id).success) throw usage(`'${id}' is not a system_id`);
  const config = configOf(io, deps);
  const all = await withStorage(deps, config, (storage) => storage.registryEvents.list());
  if (id !== undefined) {
    const { registry } = await loadRegistryFile(io, String(values['registry-file']));
    requireKnownSystemId(id, registry, String(values['registry-file']), all.map((e) => e.system_id));
  }
  const events = eventsFor(id, all);
  if (values.json) {
    emitJson(io, 'registry.history', { system_id: id ?? null, events: events.map((e) => ({ ...e, metrics: e.metrics === null ? null : (JSON.parse(e.metrics) as unknown) })) });
    return 0;
  }
  io.out(`${events.length} event(s)${id ? ` for ${id}` : ''} in model_registry_events\n`);
  if (events.length > 0) io.out(renderTable(['time (UTC)', 'action', 'system_id', 'actor', 'from -> to (sha256)', 'verdict', 'reason'], historyRows(events)));
  return 0;
}
