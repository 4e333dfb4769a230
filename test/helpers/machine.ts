/**
 * The one rule for tests that need something from the machine rather than the repository
 * (Debian's chromium, the CatBoost venv, the shared V9 models outside the clone):
 *
 * - `PW_FULL_SUITE=1` (set only by `.ci/run`, which installs all of them): such a test must run;
 *   if what it needs is missing, loading the test file throws, naming it, so the run fails loudly.
 * - unset (a developer's laptop, Cloud Build's `node:24-bookworm-slim` test step): the test is
 *   skipped and one line on stderr names what is missing and how to get it.
 *
 * Never keyed on `CI`: Cloud Build and other CI systems set CI=true without these tools.
 * Documented in docs/config.md (`PW_FULL_SUITE`).
 */

/** True when `PW_FULL_SUITE=1` in `env`: every machine-dependent test must run. */
export function fullSuite(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PW_FULL_SUITE === '1';
}

/**
 * Decide whether a machine-dependent test runs. `what`: what it needs (e.g. "chromium");
 * `present`: whether it was found; `hint`: how to get it. Returns true when the test must be
 * skipped (absent, switch unset: one stderr line written); throws an Error when absent and the
 * switch is set; returns false when present.
 */
export function skipWithout(what: string, present: boolean, hint: string, env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = (l) => process.stderr.write(l + '\n')): boolean {
  if (present) return false;
  if (fullSuite(env)) throw new Error(`PW_FULL_SUITE=1 but missing: ${what} (${hint}); this machine-dependent test must run here`);
  warn(`SKIPPED (machine): missing ${what} (${hint}); PW_FULL_SUITE=1 makes this an error`);
  return true;
}
