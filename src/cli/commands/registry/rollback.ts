/**
 * @module cli/commands/registry/rollback
 * `registry rollback --reason "<text>"`: restore the previous champion from the audit trail (and
 * disable its catboost_v9_prev_<date> shadow entry).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireFlag } from '../../args.js';
import type { CliIo } from '../../io.js';
import { PwError, describeError } from '../../../errors.js';
import { CHAMPION_SYSTEM_ID } from '../../../../config/registry.js';
import { modelStoreFromConfig } from '../../../models/model-store.js';
import { disableEntry, parseRegistryText } from '../../../lifecycle/registry-file.js';
import { championHistory, restoredShadowEntries, rollbackTarget } from '../../../lifecycle/audit.js';
import { existsSync } from 'node:fs';
import { withStorage } from '../../../jobs/cli-support.js';
import { COMMON, usage, readText, configOf, today, diffLines, envFileOf, applyAndRecord, type RegistryDeps, applyToCloudRun, cloudRunStep, championEnvEdit } from './shared.js';

/** `registry rollback --reason "<text>" [--force] [--dry-run] [--apply]`: returns 0; PW_ERR_ROLLBACK when the previous champion cannot be restored. */
export async function rollback(argv: string[], io: CliIo, deps: RegistryDeps): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...COMMON, reason: { type: 'string' }, force: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, apply: { type: 'boolean', default: false } },
    true,
  );
  if (positionals.length > 0) throw usage('rollback takes no system_id: it restores the previous champion from the audit trail');
  const reason = requireFlag(values.reason, 'reason').replace(/\s+/g, ' ').trim();
  const config = configOf(io, deps);
  const envFile = envFileOf(io);
  const events = await withStorage(deps, config, (storage) => storage.registryEvents.list());
  const history = championHistory(events);
  const { from, to } = rollbackTarget(history);
  const out: string[] = [`rollback ${CHAMPION_SYSTEM_ID}: ${from.path} -> ${to.path}`, `  undoes ${history.lastChange!.action} ${history.lastChange!.event_id} (${history.lastChange!.system_id}, by ${history.lastChange!.actor})`];
  // The configured champion must be the one the trail installed last: otherwise something moved it
  // outside the lifecycle commands, and "the previous one" is not known.
  const drifted = config.CATBOOST_V9_MODEL_PATH !== from.path || (config.CATBOOST_V9_MODEL_SHA256 !== undefined && from.sha256 !== null && config.CATBOOST_V9_MODEL_SHA256 !== from.sha256);
  if (drifted && !values.force) {
    throw new PwError(
      'PW_ERR_ROLLBACK',
      undefined,
      CHAMPION_SYSTEM_ID,
      `${envFile} names ${config.CATBOOST_V9_MODEL_PATH} (sha256 ${config.CATBOOST_V9_MODEL_SHA256 ?? 'not declared'}) as champion, but the audit trail's last change installed ${from.path} (sha256 ${from.sha256 ?? '?'}): the champion was changed outside the lifecycle commands; check \`registry history ${CHAMPION_SYSTEM_ID}\`, then --force to restore ${to.path} anyway; nothing changed`,
    );
  }
  if (drifted) out.push(`  FORCED: ${envFile} names ${config.CATBOOST_V9_MODEL_PATH}, not ${from.path} as the trail says`);
  // Before anything moves: the previous object must still exist and be exactly those bytes.
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  try {
    await store.fetch(to.path, { expectedSha256: to.sha256 });
  } catch (err) {
    throw new PwError('PW_ERR_ROLLBACK', { cause: err }, CHAMPION_SYSTEM_ID, `the previous champion ${to.path} is not available with sha256 ${to.sha256}: ${describeError(err)}; nothing changed`);
  }
  out.push(`  checked: ${to.path} exists and has sha256 ${to.sha256}`, '');
  const envPath = resolve(io.cwd, envFile);
  const envEdit = championEnvEdit(await readFile(envPath, 'utf8').catch(() => ''), to);
  // The restored champion may still run in shadow as catboost_v9_prev_<date> (registry promote kept
  // it there): once it is the champion again that entry would run it twice, so it is disabled.
  const registryFile = String(values['registry-file']);
  const registryPath = resolve(io.cwd, registryFile);
  const registryBefore = existsSync(registryPath) ? await readText(io, registryFile) : undefined;
  const shadowIds = registryBefore === undefined ? [] : restoredShadowEntries(parseRegistryText(registryBefore, registryFile), to);
  let registryText = registryBefore;
  const registryEdits: Array<ReturnType<typeof disableEntry>> = [];
  for (const sid of shadowIds) {
    const edit = disableEntry(registryText!, sid, `Rolled back ${today(deps, config)}: runs as ${CHAMPION_SYSTEM_ID} again (${reason})`);
    registryEdits.push(edit);
    registryText = edit.text;
  }
  out.push(
    `1. Point the Cloud Run champion (${config.CLOUD_RUN_SERVICE}, ${config.CLOUD_RUN_REGION}) back (--update-env-vars, never --set-env-vars):`,
    ...cloudRunStep(config, to),
    '',
  );
  const registryLines = registryEdits.map((e) => diffLines(registryFile, e.line, e.before, e.after).trimEnd());
  if (values['dry-run']) {
    out.push(`DRY RUN: ${envFile}${shadowIds.length ? ` and ${registryFile}` : ''} not changed, nothing recorded.`, ...(shadowIds.length ? ['Would apply:', ...registryLines] : []), '');
    io.out(out.join('\n'));
    return 0;
  }
  const event = await applyAndRecord(io, deps, config, {
    action: 'rollback',
    systemId: CHAMPION_SYSTEM_ID,
    from: drifted ? { path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 ?? null } : from,
    to,
    reason,
    forced: drifted,
    registryFile,
    metrics: shadowIds.length ? { shadow_entries_disabled: shadowIds } : undefined,
  }, async () => {
    const applied = values.apply ? await applyToCloudRun(config, deps, to, out) : undefined;
    if (shadowIds.length) {
      await writeFile(registryPath, registryText!);
      const after = parseRegistryText(await readFile(registryPath, 'utf8'), registryFile);
      for (const sid of shadowIds) if (after[sid]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, sid, `${registryFile} does not show the entry disabled after the edit`);
    }
    await writeFile(envPath, envEdit.text);
    return applied;
  });
  out.push(
    `2. Edited ${envFile}:`,
    ...envEdit.lines,
    ...(shadowIds.length ? [`   and ${registryFile} (${shadowIds.join(', ')} ran the restored champion in shadow; it runs as ${CHAMPION_SYSTEM_ID} again):`, ...registryLines] : []),
    `3. Recorded: audit event ${event.event_id} by ${event.actor}`,
    `4. Deploy: git add ${envFile}${shadowIds.length ? ` ${registryFile}` : ''} && git commit -m "fix: roll back ${CHAMPION_SYSTEM_ID} to ${to.path}" && git push`,
    `5. Verify: npm run --silent cli -- registry check --service-url <the service URL>`,
    '',
  );
  io.out(out.join('\n'));
  return 0;
}
