import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPwError } from '../errors.js';
import { MONTHLY_MODELS } from '../../config/monthly-models.js';
import { parseRegistry } from '../../config/registry.js';
import { disableEntry, getEnvVar, insertEntry, parseRegistryText, registryRawFromText, setEnvVar } from './registry-file.js';

const SHA = 'c'.repeat(64);

/** A registry file in the real file's layout with three differently written entries. */
const FILE = `/**
 * MONTHLY_MODELS: the challenger registry. Key = system_id.
 */
import type { RegistryEntryInput } from './registry.js';

export const MONTHLY_MODELS: Record<string, RegistryEntryInput> = {
  catboost_v9_train1102_0131: {
    model_path: 'gs://nba-props-platform-models/catboost/v9/monthly/a.cbm',
    train_start: '2025-11-02',
    train_end: '2026-01-31',
    eval_start: '2026-02-01',
    eval_end: '2026-02-08',
    backtest_mae: 4.512,
    backtest_hit_rate_all: 56.3,
    backtest_hit_rate_edge_3plus: 63.2,
    backtest_n_edge_3plus: 57,
    enabled: true,
    description: 'first // not a comment, a "string" with { braces }',
    sha256: '${SHA}',
    feature_set: 'v9',
  },
  "catboost_v9_train1201_0208": {
    model_path: "models/b.cbm", train_start: "2025-12-01", train_end: "2026-02-08",
    backtest_mae: 4.6, backtest_hit_rate_all: 55.0, backtest_hit_rate_edge_3plus: 61.0, backtest_n_edge_3plus: 60,
    /* block comment */ enabled: true, description: "one-line style",
  },
  catboost_v9_q43_train1102_0131: {
    model_path: 'models/c.cbm',
    train_start: '2025-11-02',
    train_end: '2026-01-31',
    backtest_mae: 4.7,
    backtest_hit_rate_all: 54,
    backtest_hit_rate_edge_3plus: 60,
    backtest_n_edge_3plus: 51,
    enabled: true, // quantile alpha 0.43
    description: 'q43',
  },
};
`;

const IDS = ['catboost_v9_train1102_0131', 'catboost_v9_train1201_0208', 'catboost_v9_q43_train1102_0131'];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isPwError(err) ? err.code : String(err);
  }
  return undefined;
}

describe('reading the registry file', () => {
  it('parses the literal with comments, both quote styles and trailing commas', () => {
    const registry = parseRegistryText(FILE);
    expect(Object.keys(registry)).toEqual(IDS);
    expect(registry[IDS[0]!]!.description).toBe('first // not a comment, a "string" with { braces }');
    expect(registry[IDS[1]!]!.model_path).toBe('models/b.cbm');
    expect(registry[IDS[2]!]!.feature_set).toBe('v9');
  });

  it('the real config/monthly-models.ts reads the same as importing it', () => {
    const text = readFileSync(new URL('../../config/monthly-models.ts', import.meta.url), 'utf8');
    expect(parseRegistryText(text)).toEqual(parseRegistry(MONTHLY_MODELS));
  });

  it('refuses anything that is not plain data, naming the line', () => {
    const bad = (inner: string) => `export const MONTHLY_MODELS: Record<string, X> = {\n${inner}\n};\n`;
    for (const inner of ['...OTHER,', 'a: `tpl`,', 'a: someVar,', "a: 1,\na: 2,", "a: { b: 1 "]) {
      expect(code(() => registryRawFromText(bad(inner)))).toBe('PW_ERR_REGISTRY');
    }
    expect(() => registryRawFromText(bad('a: someVar,'))).toThrow(/\(registry file\):2:\d+/);
    expect(() => registryRawFromText(bad('a: someVar,'), 'config/monthly-models.ts')).toThrow(/at config\/monthly-models\.ts:2:\d+.*only literal values/);
    expect(code(() => registryRawFromText('const X = {};'))).toBe('PW_ERR_REGISTRY');
  });
});

describe('disableEntry (retire/promote edit a copy of the text)', () => {
  it('sets enabled: false on that entry only, adds the dated reason on the same line, and stays valid', () => {
    const edit = disableEntry(FILE, IDS[0]!, 'Retired 2026-02-20: underperformed champion by 5pp');
    expect(edit.before).toEqual(['    enabled: true,']);
    expect(edit.after).toEqual(['    enabled: false, // Retired 2026-02-20: underperformed champion by 5pp']);
    const registry = parseRegistryText(edit.text);
    expect(registry[IDS[0]!]!.enabled).toBe(false);
    expect(registry[IDS[1]!]!.enabled).toBe(true);
    expect(registry[IDS[2]!]!.enabled).toBe(true);
    // every other line is byte-for-byte the same
    const a = FILE.split('\n');
    const b = edit.text.split('\n');
    expect(b.length).toBe(a.length);
    expect(b.filter((l, i) => l !== a[i])).toEqual(edit.after);
    expect(b[edit.line - 1]).toBe(edit.after[0]);
  });

  it('one-line entries and lines with an existing comment get the reason on its own line above', () => {
    const one = disableEntry(FILE, IDS[1]!, 'Retired 2026-02-20: reason');
    expect(one.after[0]).toBe('    // Retired 2026-02-20: reason');
    expect(one.after[1]).toBe('    /* block comment */ enabled: false, description: "one-line style",');
    expect(parseRegistryText(one.text)[IDS[1]!]!.enabled).toBe(false);

    const commented = disableEntry(FILE, IDS[2]!, 'Promoted 2026-02-21: now runs as catboost_v9');
    expect(commented.after).toEqual(['    // Promoted 2026-02-21: now runs as catboost_v9', '    enabled: false, // quantile alpha 0.43']);
    expect(parseRegistryText(commented.text)[IDS[2]!]!.enabled).toBe(false);
  });

  it('a reason with line breaks stays one comment line (it cannot inject code)', () => {
    const edit = disableEntry(FILE, IDS[0]!, 'Retired: bad\n  enabled: true,\n}');
    expect(edit.after).toEqual(['    enabled: false, // Retired: bad enabled: true, }']);
    expect(parseRegistryText(edit.text)[IDS[0]!]!.enabled).toBe(false);
  });

  it('edits applied one after another keep the file valid', () => {
    let text = FILE;
    for (const id of IDS) text = disableEntry(text, id, `Retired 2026-02-20: ${id}`).text;
    expect(Object.values(parseRegistryText(text)).map((e) => e.enabled)).toEqual([false, false, false]);
  });

  it('refuses unknown entries, entries without a literal enabled, and empty reasons', () => {
    expect(code(() => disableEntry(FILE, 'catboost_v9_nope', 'x'))).toBe('PW_ERR_REGISTRY');
    expect(code(() => disableEntry(FILE, IDS[0]!, '  \n '))).toBe('PW_ERR_REGISTRY');
    const noEnabled = FILE.replace('    enabled: true, // quantile alpha 0.43\n', '');
    expect(noEnabled).not.toBe(FILE);
    expect(code(() => disableEntry(noEnabled, IDS[2]!, 'x'))).toBe('PW_ERR_REGISTRY');
  });

  it('insertEntry then disableEntry on an empty registry file', () => {
    const empty = "import type { RegistryEntryInput } from './registry.js';\n\nexport const MONTHLY_MODELS: Record<string, RegistryEntryInput> = {};\n";
    const entry = FILE.slice(FILE.indexOf('  catboost_v9_train1102_0131: {'), FILE.indexOf('  "catboost_v9_train1201_0208"'));
    const pasted = insertEntry(empty, entry);
    expect(Object.keys(parseRegistryText(pasted))).toEqual([IDS[0]]);
    expect(parseRegistryText(disableEntry(pasted, IDS[0]!, 'Retired: x').text)[IDS[0]!]!.enabled).toBe(false);
    // a second paste after an entry without a trailing comma still parses
    const noComma = pasted.replace(/\},\n\};/, '}\n};');
    const twice = insertEntry(noComma, entry.replace(IDS[0]!, 'catboost_v9_other'));
    expect(Object.keys(parseRegistryText(twice))).toEqual([IDS[0], 'catboost_v9_other']);
  });
});

describe('env file edits', () => {
  const ENV = '# comment\nPUSH_AUTH=off\nCATBOOST_V9_MODEL_PATH=models/old.cbm\n# CATBOOST_V9_MODEL_PATH=commented\nPORT=8080\n';

  it('replaces the uncommented line in place and leaves the rest alone', () => {
    const e = setEnvVar(ENV, 'CATBOOST_V9_MODEL_PATH', 'gs://b/new.cbm');
    expect(e.before).toBe('CATBOOST_V9_MODEL_PATH=models/old.cbm');
    expect(e.text).toBe(ENV.replace('CATBOOST_V9_MODEL_PATH=models/old.cbm', 'CATBOOST_V9_MODEL_PATH=gs://b/new.cbm'));
    expect(getEnvVar(e.text, 'CATBOOST_V9_MODEL_PATH')).toBe('gs://b/new.cbm');
  });

  it('appends when absent and refuses multi-line values', () => {
    const e = setEnvVar('A=1', 'CATBOOST_V9_MODEL_SHA256', SHA);
    expect(e).toMatchObject({ before: undefined, text: `A=1\nCATBOOST_V9_MODEL_SHA256=${SHA}\n` });
    expect(getEnvVar(ENV, 'CATBOOST_V9_MODEL_SHA256')).toBeUndefined();
    expect(code(() => setEnvVar(ENV, 'X', 'a\nB=2'))).toBe('PW_ERR_CONFIG');
  });
});
