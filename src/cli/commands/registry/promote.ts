/**
 * @module cli/commands/registry/promote
 * `registry promote <system_id> …`: decided by src/lifecycle/promotion.ts; prints the Cloud Run
 * command, points the env file at the model, disables the entry, keeps the replaced champion in
 * shadow, and records the promotion in the audit trail.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireDate } from '../../args.js';
import type { CliIo } from '../../io.js';
import { PwError } from '../../../errors.js';
import { CHAMPION_SYSTEM_ID } from '../../../../config/registry.js';
import { FEATURE_SETS } from '../../../features/contract.js';
import { loadPredictor } from '../../../models/load-predictor.js';
import { modelStoreFromConfig } from '../../../models/model-store.js';
import { cliConfig } from '../../../jobs/cli-support.js';
import { fmt, type BetRecord } from '../../../metrics/metrics.js';
import { compareModels, formatComparison } from '../../../grading/compare.js';
import { disableEntry, insertEntry, parseRegistryText } from '../../../lifecycle/registry-file.js';
import { readLineage } from '../../../training/lineage.js';
import { comparisonWindow } from '../../../lifecycle/windows.js';
import { PROMOTION_DEFAULTS, decidePromotion, previousChampionEntry } from '../../../lifecycle/promotion.js';
import { withReadOnlyStorage } from '../evaluate.js';
import { COMMON, usage, readText, requireChallenger, today, diffLines, envFileOf, applyAndRecord, type RegistryDeps, applyToCloudRun, cloudRunStep, championEnvEdit, currentChampion } from './shared.js';

function hrN(rec: BetRecord): string {
  return `${fmt(rec.hit_rate_pct)}% (N=${rec.n_decided})`;
}

/** `registry promote <system_id> …`: returns 0 when promoted (or dry run), 1 when the promotion rules refuse it (nothing changed). */
export async function promote(argv: string[], io: CliIo, deps: RegistryDeps): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON,
      days: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'min-n': { type: 'string', default: String(PROMOTION_DEFAULTS.minMatchedBets) },
      'min-days': { type: 'string', default: String(PROMOTION_DEFAULTS.minGradedDays) },
      force: { type: 'boolean', default: false },
      reason: { type: 'string' },
      'shadow-days': { type: 'string', default: String(PROMOTION_DEFAULTS.shadowDays) },
      'dry-run': { type: 'boolean', default: false },
      apply: { type: 'boolean', default: false },
    },
    true,
  );
  if (positionals.length !== 1) throw usage('promote takes exactly one system_id');
  const days = values.days === undefined ? undefined : Number(values.days);
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) throw usage(`--days must be a positive whole number, got '${values.days}'`);
  const minN = Number(values['min-n']);
  if (!Number.isInteger(minN) || minN < 0) throw usage(`--min-n must be a whole number, got '${values['min-n']}'`);
  const minDays = Number(values['min-days']);
  if (!Number.isInteger(minDays) || minDays < 1) throw usage(`--min-days must be a positive whole number, got '${values['min-days']}'`);
  const shadowDays = Number(values['shadow-days']);
  if (!Number.isInteger(shadowDays) || shadowDays < 0) throw usage(`--shadow-days must be a whole number, got '${values['shadow-days']}'`);
  const registryFile = String(values['registry-file']);
  const envFile = envFileOf(io);
  const text = await readText(io, registryFile);
  const [id, entry] = requireChallenger(parseRegistryText(text, registryFile), positionals[0], registryFile);
  const config = deps.config ?? cliConfig(io);
  const date = today(deps, config);

  // The window: since training ended (or --from / --days), never on training days (src/lifecycle/windows.ts).
  const toDate = values.to === undefined ? date : requireDate(values.to, 'to');
  const fromFlag = values.from === undefined ? undefined : requireDate(values.from, 'from');
  const window = comparisonWindow({ toDate, trainEnd: entry.train_end, fromDate: fromFlag ?? (days === undefined ? entry.shadow_from : undefined), days });
  if (!window.ok) throw new PwError('PW_ERR_JOB_INPUT', undefined, `${id} ${window.reason}`);
  const { fromDate } = window;

  const rows = await withReadOnlyStorage(deps, config, (storage) => storage.accuracy.forRange(fromDate, toDate, [id, CHAMPION_SYSTEM_ID]));
  const c = compareModels(rows, { challengerId: id, championId: CHAMPION_SYSTEM_ID, fromDate, toDate });
  const decision = decidePromotion({
    entry,
    champion: { modelPath: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 },
    verdict: c.decision,
    policy: { minGradedDays: minDays, minMatchedBets: minN },
    force: Boolean(values.force),
    reason: values.reason,
  });
  const passed = decision.allowed && !decision.forced;
  const out: string[] = [
    `promote ${id} -> ${CHAMPION_SYSTEM_ID}`,
    ...window.notes.map((n) => `note: ${n}`),
    formatComparison(c).trimEnd(),
    `edge 3+: ${id} ${hrN(c.challenger.edge_3plus)} vs ${CHAMPION_SYSTEM_ID} ${hrN(c.champion.edge_3plus)} (not comparable across edge spreads; the verdict decides)`,
    '',
    'promotion rules (src/lifecycle/promotion.ts)',
    ...decision.rules.map((k) => `  ${k.pass ? 'PASS' : 'FAIL'}  ${k.rule}: ${k.detail}`),
    '',
  ];
  if (!decision.allowed) {
    out.push(`REFUSED: ${id} ${decision.refusal}; nothing changed (--force --reason "<why>" overrides, and is recorded)`, '');
    io.out(out.join('\n'));
    return 1;
  }
  if (decision.forced) {
    out.push(
      '!!! ------------------------------------------------------------------ !!!',
      `!!! FORCED PROMOTION: ${id} FAILS the promotion rules above.`,
      `!!! Reason given: ${decision.reason}`,
      '!!! This is recorded in the registry comment. Watch the next graded days.',
      '!!! ------------------------------------------------------------------ !!!',
      '',
    );
  }

  // The file must exist and be the declared bytes before anyone points production at it.
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const predictor = await loadPredictor({ path: entry.model_path, expectedSha256: entry.sha256, featureSet: FEATURE_SETS[entry.feature_set], engine: config.MODEL_ENGINE, store });
  const sha256 = predictor.sha256;
  await predictor.close();

  const record =
    `Promoted ${date}${passed ? '' : ` (FORCED: ${decision.reason})`}: now runs as ${CHAMPION_SYSTEM_ID}; ` +
    `${c.verdict}, HR all ${hrN(c.challenger.all)} vs ${hrN(c.champion.all)}, ${fromDate}..${toDate}`;
  const registryEdit = disableEntry(text, id, record);
  const envPath = resolve(io.cwd, envFile);
  const envText = await readFile(envPath, 'utf8').catch(() => '');
  const previous = await currentChampion(config, store);
  const next = { path: entry.model_path, sha256 };
  const envEdit = championEnvEdit(envText, next);

  // The replaced champion keeps running in shadow as a challenger (src/lifecycle/promotion.ts).
  let shadow: { systemId: string; until: string; path: string; sha256: string } | undefined;
  let registryText = registryEdit.text;
  if (shadowDays > 0) {
    const prevFile = await store.fetch(previous.path, previous.sha256 ? { expectedSha256: previous.sha256 } : undefined);
    const prevLineage = readLineage(prevFile.bytes, previous.path);
    const prev = previousChampionEntry({
      modelPath: previous.path,
      sha256: prevFile.sha256,
      promotedOn: date,
      shadowDays,
      trainWindow: prevLineage.status === 'recorded' ? { start: prevLineage.lineage.train_start, end: prevLineage.lineage.train_end } : undefined,
      live: {
        maePoints: c.champion.mae_points,
        hitRateAllPct: c.champion.all.hit_rate_pct,
        hitRateEdge3Pct: c.champion.edge_3plus.hit_rate_pct,
        nEdge3: c.champion.edge_3plus.n_decided,
        window: `${fromDate}..${toDate}`,
      },
    });
    if (prev.systemId in parseRegistryText(registryText, registryFile)) throw new PwError('PW_ERR_REGISTRY', undefined, prev.systemId, 'already in the registry (one promotion a day)');
    registryText = insertEntry(registryText, prev.source);
    shadow = { systemId: prev.systemId, until: parseRegistryText(registryText, registryFile)[prev.systemId]!.shadow_until!, path: previous.path, sha256: prevFile.sha256 };
  }

  out.push(
    `1. Point the Cloud Run champion (${config.CLOUD_RUN_SERVICE}, ${config.CLOUD_RUN_REGION}) at the model: a new revision; --update-env-vars keeps the other variables (never --set-env-vars):`,
    ...cloudRunStep(config, next),
    '',
  );
  if (values['dry-run']) {
    out.push(
      `DRY RUN: ${registryFile} and ${envFile} not changed, nothing recorded. Would apply:`,
      diffLines(registryFile, registryEdit.line, registryEdit.before, registryEdit.after),
      ...(shadow ? [`and add ${shadow.systemId} (the previous champion in shadow until ${shadow.until})`, ''] : []),
    );
    io.out(out.join('\n'));
    return 0;
  }
  const applyPromotion = async () => {
    const applied = values.apply ? await applyToCloudRun(config, deps, next, out) : undefined;
    await writeFile(resolve(io.cwd, registryFile), registryText);
    const after = parseRegistryText(await readFile(resolve(io.cwd, registryFile), 'utf8'), registryFile);
    if (after[id]?.enabled !== false) throw new PwError('PW_ERR_REGISTRY', undefined, id, `${registryFile} does not show the entry disabled after the edit`);
    if (shadow && after[shadow.systemId]?.enabled !== true) throw new PwError('PW_ERR_REGISTRY', undefined, shadow.systemId, `${registryFile} does not show the previous champion's shadow entry after the edit`);
    await writeFile(envPath, envEdit.text);
    return applied;
  };
  const reason = decision.forced ? decision.reason : typeof values.reason === 'string' ? values.reason : undefined;
  const shadowEvent = shadow
    ? {
        action: 'entry_added' as const,
        systemId: shadow.systemId,
        to: { path: shadow.path, sha256: shadow.sha256 },
        verdict: `previous champion kept in shadow until ${shadow.until}`,
        metrics: { shadow_from: date, shadow_until: shadow.until, promoted: id },
        reason: `replaced by ${id} (registry promote)`,
        registryFile,
      }
    : undefined;
  const event = await applyAndRecord(
    io,
    deps,
    config,
    {
      action: 'promote',
      systemId: id,
      from: previous,
      to: next,
      verdict: `${passed ? 'PASS' : decision.forced ? 'FORCED' : 'FAIL'}: ${c.verdict}`,
      metrics: {
        from_date: fromDate,
        to_date: toDate,
        challenger_hit_rate_all_pct: c.challenger.all.hit_rate_pct,
        champion_hit_rate_all_pct: c.champion.all.hit_rate_pct,
        challenger_n_decided: c.challenger.all.n_decided,
        champion_n_decided: c.champion.all.n_decided,
        matched_rows: c.matchedRows,
        challenger_mae: c.challenger.mae_points,
        champion_mae: c.champion.mae_points,
        decision: c.decision,
        rules: decision.rules.map((k) => ({ rule: k.rule, pass: k.pass, detail: k.detail })),
        verdict_text: c.verdictText,
        shadow_entry: shadow ? { system_id: shadow.systemId, model_path: shadow.path, sha256: shadow.sha256, shadow_until: shadow.until } : null,
      },
      forced: decision.forced,
      reason,
      registryFile,
    },
    applyPromotion,
    shadowEvent ? [shadowEvent] : [],
  );

  out.push(
    `2. Edited ${registryFile} (the entry would otherwise run twice, as itself and as ${CHAMPION_SYSTEM_ID}):`,
    diffLines(registryFile, registryEdit.line, registryEdit.before, registryEdit.after).trimEnd(),
    ...(shadow
      ? [`   + ${shadow.systemId}: the previous champion (${shadow.path}) keeps running in shadow until ${shadow.until} (--shadow-days ${shadowDays}), so a rollback rests on the same matched comparison`]
      : []),
    `3. Edited ${envFile} (the champion the CLI, the demo and \`npm start\` read):`,
    ...envEdit.lines,
    ...(entry.model_path.startsWith('gs://') ? ['   note: local mode now needs Cloud Storage access (credentials or STORAGE_EMULATOR_HOST) for this path'] : []),
    `4. Recorded: audit event ${event.event_id} by ${event.actor}${shadow ? ` (and the shadow entry ${shadow.systemId})` : ''} (npm run --silent cli -- registry history ${CHAMPION_SYSTEM_ID})`,
    `5. Deploy: git add ${registryFile} ${envFile} && git commit -m "feat: promote ${id} to ${CHAMPION_SYSTEM_ID}" && git push`,
    `6. Verify: npm run --silent cli -- registry check --service-url <the service URL>   (GET /models must show ${CHAMPION_SYSTEM_ID} ${next.path} sha256 ${sha256})`,
    `   Rollback: npm run --silent cli -- registry rollback --reason "<why>"   restores ${previous.path} sha256 ${previous.sha256 ?? '(unknown)'}; its Cloud Run command:`,
    ...cloudRunStep(config, previous),
    ...(previous.note ? [`   WARNING: ${previous.note}`] : []),
    '',
  );
  io.out(out.join('\n'));
  return 0;
}
