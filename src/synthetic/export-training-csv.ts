/**
 * Writes the synthetic training set as CSV to stdout, for test/fixtures/make_fixtures.py:
 *   npx tsx src/synthetic/export-training-csv.ts --seed 9 --rows 6000 > train.csv
 * Same flags, same bytes.
 */
import { parseArgs } from 'node:util';
import { trainingCsv } from './csv.js';
import { trainingRows } from './season.js';

function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return Number(value);
}

function main(argv: string[]): number {
  const { values } = parseArgs({ args: argv, options: { seed: { type: 'string' }, rows: { type: 'string' } }, strict: true });
  const seed = intFlag(values.seed, 'seed', 1);
  const rows = intFlag(values.rows, 'rows', 5000);
  process.stdout.write(trainingCsv(trainingRows({ seed, rows })));
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`export-training-csv: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
