/**
 * @module cli/commands/registry/retire
 * `registry retire <system_id> --reason "<text>"`: enabled: false with a dated reason, in the file; audited.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireFlag } from '../../args.js';
import type { CliIo } from '../../io.js';
import { PwError } from '../../../errors.js';
import { type Registry } from '../../../../config/registry.js';
import { disableEntry, parseRegistryText } from '../../../lifecycle/registry-file.js';
import { type LifecycleDeps } from '../evaluate.js';
import { COMMON, usage, readText, requireChallenger, configOf, today, diffLines, applyAndRecord } from './shared.js';

/** `registry retire <system_id> --reason "<text>"`: returns 0 when retired, 1 when already disabled (nothing changed). */
export async function retire(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON, reason: { type: 'string' } }, true);
  if (positionals.length !== 1) throw usage('retire takes exactly one system_id');
  const reason = requireFlag(values.reason, 'reason').replace(/\s+/g, ' ').trim();
  if (!reason) throw usage('--reason must say why');
  const registryFile = String(values['registry-file']);
  const path = resolve(io.cwd, registryFile);
  const text = await readText(io, registryFile);
  const [id, entry] = requireChallenger(parseRegistryText(text, registryFile), positionals[0], registryFile);
  const config = configOf(io, deps);
  if (!entry.enabled) {
    io.err(`${id} is already disabled in ${registryFile}; nothing changed\n`);
    return 1;
  }
  const edit = disableEntry(text, id, `Retired ${today(deps, config)}: ${reason}`);
  let after: Registry = {};
  const event = await applyAndRecord(io, deps, config, { action: 'retire', systemId: id, from: { path: entry.model_path, sha256: entry.sha256 }, reason, registryFile }, async () => {
    await writeFile(path, edit.text);
    // Prove what is on disk now, not only what we meant to write.
    after = parseRegistryText(await readFile(path, 'utf8'), registryFile);
    if (after[id]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, id, `${registryFile} does not show the entry disabled after the edit`);
  });
  io.out(
    [
      `retired ${id} (audit event ${event.event_id} by ${event.actor})`,
      diffLines(registryFile, edit.line, edit.before, edit.after),
      `${registryFile} re-parsed: ${Object.keys(after).length} entries, ${Object.values(after).filter((e) => e.enabled).length} enabled`,
      'Deploy: the worker reads the registry at build time, so the model keeps running until you deploy:',
      `  git add ${registryFile} && git commit -m "chore: retire ${id}" && git push   (Cloud Build deploys prediction-worker)`,
      '',
    ].join('\n'),
  );
  return 0;
}
