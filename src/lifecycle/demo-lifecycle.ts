/**
 * @module lifecycle/demo-lifecycle
 * The model lifecycle inside `demo season` (issue 12), on the embedded default, with the real
 * commands and no hand edits:
 *   0. the challenger: trained by `cli train` on the 49 game days BEFORE the demo (the same
 *      simulated season; src/synthetic VENUE_SHIFT is what it can learn). By default the
 *      committed models/catboost_v9_demo_challenger.cbm (its lineage is in the file), with
 *      `--retrain` trained live from the history days written to storage (needs Python);
 *   1. the first 40 % of the days: champion (+ the registry's challengers) as usual;
 *   2. `cli evaluate` of the challenger on those days (lineage verified, 7 gates) and its entry
 *      pasted into a COPY of the registry in the data dir (never config/monthly-models.ts);
 *   3. the other 60 %: the worker restarts with the challenger in shadow;
 *   4. `cli compare` (the verdict) and `cli registry promote` (the promotion rules) on the
 *      shadow days, against copies of the registry and config/local.env.
 * Output: each command's own output, under `== lifecycle: … ==` headings.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliIo } from '../cli/io.js';
import type { Config } from '../../config/env.js';
import type { Storage } from '../storage/storage.js';
import type { SeasonDay } from '../synthetic/season.js';
import { actualsRows, featureStoreRows } from '../synthetic/rows.js';
import { insertEntry, parseRegistryText } from './registry-file.js';
import { PwError } from '../errors.js';

export const DEMO_CHALLENGER = {
  systemId: 'catboost_v9_demo_challenger',
  file: 'models/catboost_v9_demo_challenger.cbm',
  name: 'DEMO_CHALLENGER',
} as const;
/** Game days simulated before the demo's first day: the challenger's training window. */
export const DEMO_HISTORY_DAYS = 49;
/** Below this many demo days the lifecycle is skipped (a verdict needs shadow days). */
export const LIFECYCLE_MIN_DAYS = 10;

export interface DemoLifecycle {
  /** Days of phase 1 (evaluation window); the rest are shadow days. */
  evalDays: number;
  registryFile: string;
  envFile: string;
  modelPath: string;
  cwd: string;
}

/** Captures a command's output. */
function capture(io: CliIo): { io: CliIo; text: () => string } {
  let text = '';
  return {
    io: { ...io, out: (s) => void (text += s), err: (s) => void (text += s) },
    text: () => text,
  };
}

/**
 * Copies the registry and local.env into the data dir and provides the challenger: the committed
 * file, or (retrain) one trained now by `cli train` on the history days, written to storage first.
 */
export async function prepareLifecycle(o: {
  io: CliIo;
  cwd: string;
  dataDir: string;
  days: number;
  history: readonly SeasonDay[];
  retrain: boolean;
  storage: Storage;
  config: Config;
}): Promise<DemoLifecycle> {
  const registryFile = join(o.dataDir, 'monthly-models.ts');
  const envFile = join(o.dataDir, 'local.env');
  copyFileSync(resolve(o.cwd, 'config/monthly-models.ts'), registryFile);
  const localEnv = resolve(o.cwd, 'config/local.env');
  writeFileSync(envFile, existsSync(localEnv) ? readFileSync(localEnv, 'utf8') : `CATBOOST_V9_MODEL_PATH=${o.config.CATBOOST_V9_MODEL_PATH}\n`);
  let modelPath: string = DEMO_CHALLENGER.file;
  if (o.retrain) {
    for (const day of o.history) {
      await o.storage.features.upsert(featureStoreRows(day));
      await o.storage.actuals.upsert(actualsRows(day));
    }
    modelPath = join(o.dataDir, `${DEMO_CHALLENGER.systemId}.cbm`);
    const first = o.history[0]!.date;
    const last = o.history.at(-1)!.date;
    o.io.err(`lifecycle: training ${DEMO_CHALLENGER.systemId} live on ${first}..${last} (cli train)\n`);
    const train = await import('../cli/commands/train.js');
    const cap = capture(o.io);
    const code = await train.run(
      ['--name', DEMO_CHALLENGER.name, '--system-id', DEMO_CHALLENGER.systemId, '--train-start', first, '--train-end', last, '--out', modelPath],
      { ...cap.io, err: (s) => o.io.err(s) },
      { storage: o.storage, config: o.config },
    );
    o.io.out(`== lifecycle: cli train (live) ==\n${cap.text()}`);
    if (code !== 0) throw new PwError('PW_ERR_TRAINING', undefined, 'demo retrain failed');
  } else if (!existsSync(resolve(o.cwd, modelPath))) {
    throw new PwError('PW_ERR_MODEL_NOT_FOUND', undefined, `${DEMO_CHALLENGER.file} (demo challenger; --retrain trains one)`);
  }
  return { evalDays: Math.max(1, Math.round(o.days * 0.4)), registryFile, envFile, modelPath, cwd: o.cwd };
}

/** The worker's model set from the lifecycle's registry copy (what a deploy of that file would load). */
export async function lifecycleModelSet(lc: DemoLifecycle, config: Config, logger: import('../models/model-set-loader.js').ModelSetLogger) {
  const { createModelSet } = await import('../models/model-set-loader.js');
  const { modelStoreFromConfig } = await import('../models/model-store.js');
  return createModelSet({
    championPath: config.CATBOOST_V9_MODEL_PATH,
    championSha256: config.CATBOOST_V9_MODEL_SHA256,
    registry: parseRegistryText(readFileSync(lc.registryFile, 'utf8')),
    store: modelStoreFromConfig(config, lc.cwd),
    engine: config.MODEL_ENGINE,
    logger,
  });
}

/**
 * Step 2: `cli evaluate` on the first-half days; when every gate passes, its entry goes into the
 * registry copy (as an operator pastes it). Returns whether it was added.
 */
export async function evaluateAndPaste(
  lc: DemoLifecycle,
  o: { io: CliIo; storage: Storage; config: Config; evalStart: string; evalEnd: string; now: Date },
): Promise<boolean> {
  const evaluate = await import('../cli/commands/evaluate.js');
  const cap = capture(o.io);
  const code = await evaluate.run(
    ['--model', lc.modelPath, '--name', DEMO_CHALLENGER.name, '--system-id', DEMO_CHALLENGER.systemId, '--eval-start', o.evalStart, '--eval-end', o.evalEnd, '--registry-file', lc.registryFile],
    cap.io,
    { storage: o.storage, config: o.config, now: o.now },
  );
  const text = cap.text();
  o.io.out(`\n== lifecycle: cli evaluate ${DEMO_CHALLENGER.systemId} (trained before ${o.evalStart}; eval ${o.evalStart}..${o.evalEnd}) ==\n${text}`);
  if (code !== 0) {
    o.io.out(`lifecycle: evaluation did not pass (exit ${code}); the challenger is not deployed\n`);
    return false;
  }
  const start = text.indexOf('\n', text.indexOf('MONTHLY_MODELS entry (paste into')) + 1;
  const snippet = text.slice(start, text.indexOf('Next steps', start));
  writeFileSync(lc.registryFile, insertEntry(readFileSync(lc.registryFile, 'utf8'), snippet));
  o.io.out(`lifecycle: pasted the entry into ${lc.registryFile}; the worker restarts with ${DEMO_CHALLENGER.systemId} in shadow\n`);
  return true;
}

/** Step 4: `cli compare` and `cli registry promote` at the end of the shadow days. */
export async function compareAndPromote(lc: DemoLifecycle, o: { io: CliIo; storage: Storage; config: Config; endDate: string; now: Date }): Promise<number> {
  const deps = { storage: o.storage, config: o.config, now: o.now };
  const compare = await import('../cli/commands/compare.js');
  const registry = await import('../cli/commands/registry.js');
  let cap = capture(o.io);
  await compare.run([DEMO_CHALLENGER.systemId, '--to', o.endDate, '--registry-file', lc.registryFile], cap.io, deps);
  o.io.out(`\n== lifecycle: cli compare ${DEMO_CHALLENGER.systemId} --to ${o.endDate} ==\n${cap.text()}`);
  cap = capture(o.io);
  // The env file promote edits is the one the CLI read (--env-file is a global flag): the copy.
  const code = await registry.run(['promote', DEMO_CHALLENGER.systemId, '--to', o.endDate, '--registry-file', lc.registryFile], { ...cap.io, envFile: lc.envFile }, deps);
  o.io.out(`\n== lifecycle: cli registry promote ${DEMO_CHALLENGER.systemId} --to ${o.endDate} (exit ${code}) ==\n${cap.text()}`);
  return code;
}
