/**
 * @module training/trainer
 * Runs the pinned Python trainer (src/training/train_catboost.py) in the project's CatBoost
 * virtual environment: the one test/fixtures/make_fixtures.py and .ci/run create
 * (test/fixtures/.work/venv, requirements in test/fixtures/requirements.txt: catboost==1.2.8).
 * Created on first use, reused after. Streams the trainer's progress lines to a callback.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PwError } from '../errors.js';

/** The repository root (this file is src/training/trainer.ts or dist/src/training/trainer.js). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

export const TRAINER_VENV = 'test/fixtures/.work/venv';
export const TRAINER_REQUIREMENTS = 'test/fixtures/requirements.txt';

/** Path of the trainer script (shipped as source; never compiled). */
export function trainerScript(): string {
  return join(repoRoot(), 'src/training/train_catboost.py');
}

/**
 * A Python with the pinned CatBoost: `explicit` if given, else the project venv, created (python3
 * -m venv + pip install -r requirements) when missing. `log` receives one line per step.
 */
export function ensureTrainerPython(explicit: string | undefined, log: (line: string) => void): string {
  if (explicit) return resolve(explicit);
  const root = repoRoot();
  const venv = join(root, TRAINER_VENV);
  const python = join(venv, 'bin', 'python');
  const ok = () => existsSync(python) && spawnSync(python, ['-c', 'import catboost'], { stdio: 'ignore' }).status === 0;
  if (ok()) return python;
  log(`creating ${TRAINER_VENV} with ${TRAINER_REQUIREMENTS} (first use; needs PyPI) ...`);
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [python, ['-m', 'pip', 'install', '-q', '-r', join(root, TRAINER_REQUIREMENTS)]],
  ] as const) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new PwError('PW_ERR_TRAINING', undefined, `${cmd} ${args.join(' ')} failed: ${(r.stderr || String(r.error ?? '')).trim().split('\n').slice(-3).join(' | ')}`);
  }
  if (!ok()) throw new PwError('PW_ERR_TRAINING', undefined, `catboost is still not importable in ${venv}`);
  return python;
}

export interface TrainerRun {
  python: string;
  csvPath: string;
  outPath: string;
  params: Record<string, unknown>;
  /** The lineage fields known before training (window, rows, fingerprint, trainer). */
  lineage: Record<string, unknown>;
  progressEvery?: number;
  /** Each progress line of the trainer (CatBoost's iteration log), as it arrives. */
  onLine: (line: string) => void;
}

export interface TrainerResult {
  seconds: number;
  trees: number;
  lineage: Record<string, unknown>;
}

/** Runs the trainer; resolves with its PW_RESULT, rejects with PW_ERR_TRAINING and its last lines. */
export function runTrainer(run: TrainerRun): Promise<TrainerResult> {
  return new Promise((ok, fail) => {
    const child = spawn(
      run.python,
      [trainerScript(), '--csv', run.csvPath, '--out', run.outPath, '--params', JSON.stringify(run.params), '--lineage', JSON.stringify(run.lineage), '--progress-every', String(run.progressEvery ?? 50)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let result: TrainerResult | undefined;
    const tail: string[] = [];
    const remember = (line: string) => {
      tail.push(line);
      if (tail.length > 5) tail.shift();
    };
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let i: number;
      while ((i = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, i).trimEnd();
        buffered = buffered.slice(i + 1);
        if (line.startsWith('PW_RESULT ')) result = JSON.parse(line.slice('PW_RESULT '.length)) as TrainerResult;
        else if (line) {
          remember(line);
          run.onLine(line);
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunk.split('\n').filter(Boolean).forEach(remember));
    child.on('error', (err) => fail(new PwError('PW_ERR_TRAINING', { cause: err }, `cannot start ${run.python}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0 && result) ok(result);
      else fail(new PwError('PW_ERR_TRAINING', undefined, `trainer exited with ${code}: ${tail.join(' | ')}`));
    });
  });
}
