/**
 * @module cli/commands/bigquery
 * `npm run --silent cli -- bigquery init [--dry-run]`: create the BigQuery datasets, tables and
 * compatibility views from the one table definition, add new nullable columns to existing tables
 * (additive only), and print what was done. `--dry-run` prints the steps and their DDL instead.
 * Refuses (exit 1, PW_ERR_STORAGE_SETUP), changing nothing, when an existing table is incompatible,
 * naming the table and columns.
 * `npm run --silent cli -- bigquery check`: the worker's start-up check; exit 1 listing what is
 * missing or incompatible, 0 when the worker can serve on these tables.
 *
 * Reads GCP_PROJECT_ID, BIGQUERY_LOCATION, the BIGQUERY_*DATASET names,
 * BIGQUERY_PARTITION_EXPIRATION_DAYS and (emulators) BIGQUERY_API_ENDPOINT; the logic is in
 * src/storage/bigquery/setup.ts.
 */
import { parseFlags } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError } from '../../errors.js';
import { cliConfig } from '../../jobs/cli-support.js';
import type { Config } from '../../../config/env.js';
import { bigQueryClient } from '../../storage/bigquery/bigquery-storage.js';
import { datasetNamesFromConfig } from '../../storage/bigquery/datasets.js';
import { applySetup, formatPlan, planSetup, readSetupState, refusal, setupProblems, type SetupOptions } from '../../storage/bigquery/setup.js';

const USAGE = 'usage: cli bigquery init [--dry-run] | cli bigquery check';

export const help: CommandHelp = {
  usage: 'bigquery <init|check> …',
  summary: "The BigQuery datasets, tables and compatibility views from the one table definition (GCP_PROJECT_ID, BIGQUERY_*DATASET).",
  example: ['bigquery check', 'bigquery init --dry-run'],
  sub: {
    init: {
      usage: 'bigquery init [--dry-run]',
      summary: 'Create the datasets, tables and views, add new nullable columns (additive only), print what was done; refuses, changing nothing, when an existing table is incompatible.',
      flags: [{ flag: '--dry-run', default: 'off', text: 'print the steps and their DDL, change nothing' }],
      example: 'bigquery init --dry-run',
    },
    check: {
      usage: 'bigquery check',
      summary: "The worker's start-up check: exit 1 listing what is missing or incompatible, 0 when the worker can serve on these tables.",
      flags: [],
      example: 'bigquery check',
    },
  },
};

export async function run(argv: string[], io: CliIo, deps: { config?: Config } = {}): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'init' && sub !== 'check') throw new PwError('PW_ERR_CLI_USAGE', undefined, `${sub ? `unknown subcommand '${sub}'; ` : ''}${USAGE}`);
  const { values } = parseFlags(rest, sub === 'init' ? { 'dry-run': { type: 'boolean', default: false } } : {});
  const config = deps.config ?? cliConfig(io);
  if (!config.GCP_PROJECT_ID) throw new PwError('PW_ERR_CONFIG', undefined, 'GCP_PROJECT_ID: required for bigquery init/check');
  const client = bigQueryClient({ projectId: config.GCP_PROJECT_ID, location: config.BIGQUERY_LOCATION, apiEndpoint: config.BIGQUERY_API_ENDPOINT });
  const opts: SetupOptions = {
    at: { projectId: config.GCP_PROJECT_ID, datasets: datasetNamesFromConfig(config) },
    location: config.BIGQUERY_LOCATION,
    partitionExpirationDays: config.BIGQUERY_PARTITION_EXPIRATION_DAYS,
  };
  let plan;
  try {
    plan = planSetup(opts, await readSetupState(client, opts));
  } catch (err) {
    throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, `table metadata in ${config.GCP_PROJECT_ID}`, err instanceof Error ? err.message : String(err));
  }

  if (sub === 'check') {
    const problems = setupProblems(plan);
    if (problems.length === 0) {
      io.out(`bigquery check: ${plan.unchanged.length} tables and views as defined in ${config.GCP_PROJECT_ID}\n`);
      return 0;
    }
    io.out(`bigquery check: ${problems.length} problem(s) in ${config.GCP_PROJECT_ID}\n${problems.map((p) => `- ${p}`).join('\n')}\nrun: npm run --silent cli -- bigquery init\n`);
    return 1;
  }

  const dryRun = values['dry-run'] === true;
  if (plan.problems.length > 0) {
    // Print what would have been done, then refuse: nothing is changed.
    io.err(formatPlan(plan, { dryRun: true }));
    throw refusal(plan);
  }
  if (dryRun) {
    io.out(formatPlan(plan, { dryRun: true }));
    return 0;
  }
  const done = await applySetup(client, plan);
  io.out(formatPlan(plan, { dryRun: false, done }));
  return 0;
}
