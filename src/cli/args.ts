/**
 * Tiny argument parser shared by the commands: `--flag value`, `--flag=value`, boolean `--flag`.
 * Unknown flags are an error naming them (a typo never silently does the default thing).
 */
import { parseArgs } from 'node:util';
import { PwError } from '../errors.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;

export function parseFlags<T extends FlagSpec>(argv: string[], spec: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: spec, allowPositionals, strict: true });
  } catch (err) {
    throw new PwError('PW_ERR_CLI_USAGE', { cause: err }, (err as Error).message);
  }
}

export function requireFlag(value: string | boolean | undefined, name: string): string {
  if (typeof value !== 'string' || value === '') throw new PwError('PW_ERR_CLI_USAGE', undefined, `--${name} is required`);
  return value;
}

export function requireDate(value: string | boolean | undefined, name: string): string {
  const v = requireFlag(value, name);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
    throw new PwError('PW_ERR_CLI_USAGE', undefined, `--${name} must be a YYYY-MM-DD date, got '${v}'`);
  }
  return v;
}
