/**
 * @module cli/env-file
 * One configuration truth: the CLI reads the same dotenv file as the worker (`npm start` runs
 * `tsx --env-file=config/local.env`), so after a promotion `registry check`, `demo` and the worker
 * agree on the champion.
 *
 * `--env-file <path>` (anywhere on the command line) names the file; `--no-env-file` reads none.
 * (Not `--env-file none`: Node itself scans the whole command line for `--env-file`, even after the
 * script name, so `npm run cli -- --env-file none` fails inside Node before this code runs, see
 * nodejs/node#54232. A path Node also loads is harmless: the same values, and the environment wins.)
 * Without the flag, `config/local.env` is read when it exists and the environment does not select
 * production storage (STORAGE_BACKEND=bigquery): that is local mode. As with Node's --env-file,
 * variables already set in the environment win over the file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { PwError, describeError } from '../errors.js';

export const DEFAULT_ENV_FILE = 'config/local.env';

export interface EnvFileChoice {
  /** argv without the --env-file flag and its value. */
  argv: string[];
  /** The file read (as given, relative to cwd), or undefined when none. */
  envFile: string | undefined;
  /** The environment to use: file values under the process environment. */
  env: Record<string, string | undefined>;
}

/**
 * Take `--env-file` out of argv and merge the file under `env`. Throws PW_ERR_CLI_USAGE for a
 * flag without a value and PW_ERR_CONFIG for an explicit file that cannot be read.
 */
export function applyEnvFile(argv: readonly string[], env: Record<string, string | undefined>, cwd: string, exists: (path: string) => boolean): EnvFileChoice {
  const rest: string[] = [];
  let explicit: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--no-env-file') explicit = '';
    else if (a === '--env-file') {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new PwError('PW_ERR_CLI_USAGE', undefined, '--env-file needs a path (--no-env-file reads none)');
      explicit = v;
      i++;
    } else if (a.startsWith('--env-file=')) explicit = a.slice('--env-file='.length);
    else rest.push(a);
  }
  let file: string | undefined;
  if (explicit !== undefined) file = explicit === '' ? undefined : explicit;
  else if (env.STORAGE_BACKEND !== 'bigquery' && exists(resolve(cwd, DEFAULT_ENV_FILE))) file = DEFAULT_ENV_FILE;
  if (file === undefined) return { argv: rest, envFile: undefined, env };
  let text: string;
  try {
    text = readFileSync(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new PwError('PW_ERR_CONFIG', { cause: err }, `cannot read --env-file ${file}: ${describeError(err)}`);
  }
  const fromFile = parseEnv(text) as Record<string, string>;
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  return { argv: rest, envFile: file, env: merged };
}
