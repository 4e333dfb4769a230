import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRegistry } from '../../config/registry.js';
import { defaultSystemId, nextSteps, registryEntryFor, registryModelPath, registrySnippet, tsString, type SnippetInput } from './snippet.js';
import { insertEntry, parseRegistryText } from './registry-file.js';

const REGISTRY_FILE = new URL('../../config/monthly-models.ts', import.meta.url);

const input: SnippetInput = {
  systemId: defaultSystemId('2025-11-02', '2026-01-31'),
  modelPath: registryModelPath('models/catboost_v9_33f_train20251102-20260131.cbm', 'gs://nba-props-platform-models/catboost/v9/monthly/', 'ab'.repeat(32)),
  trainStart: '2025-11-02',
  trainEnd: '2026-01-31',
  evalStart: '2026-02-01',
  evalEnd: '2026-02-08',
  maePoints: 4.51234,
  hitRateAllPct: 56.25,
  hitRateEdge3Pct: 63.157894,
  nEdge3: 57,
  description: "MY_EXPERIMENT — Bob's \"extended\" window \\ 42d",
  sha256: 'ab'.repeat(32),
  gates: { outcome: 'passed', evaluated_on: '2026-02-09', failed: [], training_window: 'verified' },
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('registry snippet', () => {
  it('names the entry catboost_v9_train<MMDD>_<MMDD>; an upload folder gets the content-addressed name model upload creates', () => {
    expect(input.systemId).toBe('catboost_v9_train1102_0131');
    expect(input.modelPath).toBe(`gs://nba-props-platform-models/catboost/v9/monthly/catboost_v9_33f_train20251102-20260131-${'ab'.repeat(32)}.cbm`);
    expect(registryModelPath('models/x.cbm', undefined, 'ab'.repeat(32))).toBe('models/x.cbm');
  });

  it('refuses an --upload-path that is not a gs:// folder (issue 11: s3://, a bare bucket, an object that differs from the upload)', () => {
    const sha = 'ab'.repeat(32);
    expect(() => registryModelPath('models/x.cbm', 's3://bucket/models/', sha)).toThrow(/only gs:\/\/ .*not s3:\/\//);
    expect(() => registryModelPath('models/x.cbm', 'gs://bucket', sha)).toThrow(/must be a folder ending in '\/'/);
    expect(() => registryModelPath('models/x.cbm', 'gs://bkt/exact.cbm', sha)).toThrow(/must be a folder ending in '\/'/);
    expect(() => registryModelPath('models/x.cbm', 'gs://Bad_Bucket/', sha)).toThrow(/lower-case/);
    expect(registryModelPath('models/x.cbm', 'gs://bucket/', sha)).toBe(`gs://bucket/x-${sha}.cbm`);
  });

  it('prints the registry shape with MAE at 3 dp and hit rates at 1 dp', () => {
    const text = registrySnippet(input);
    expect(text).toContain('  catboost_v9_train1102_0131: {\n');
    expect(text).toContain('    backtest_mae: 4.512,\n');
    expect(text).toContain('    backtest_hit_rate_edge_3plus: 63.2,\n');
    expect(text).toContain('    enabled: true,\n');
    expect(text).toContain(`    sha256: '${'ab'.repeat(32)}',\n`);
  });

  it('round-trips: pasted into a copy of config/monthly-models.ts it parses with parseRegistry to the same entry', () => {
    const real = readFileSync(REGISTRY_FILE, 'utf8');
    const pasted = insertEntry(real, registrySnippet(input));
    const registry = parseRegistryText(pasted);
    expect(registry).toEqual({ ...parseRegistryText(real), ...parseRegistry({ [input.systemId]: registryEntryFor(input) }) });
    expect(registry[input.systemId]!.description).toBe(input.description);
  });

  it('the pasted file is valid TypeScript whose MONTHLY_MODELS passes parseRegistry (imported for real)', async () => {
    const second = { ...input, systemId: 'catboost_v9_train1102_0131_b', description: 'second' };
    const real = readFileSync(REGISTRY_FILE, 'utf8');
    let text = insertEntry(real, registrySnippet(input));
    text = insertEntry(text, registrySnippet(second, ['a note that stays a comment']));
    const dir = mkdtempSync(join(tmpdir(), 'pw-snippet-'));
    dirs.push(dir);
    const file = join(dir, 'monthly-models.ts');
    writeFileSync(file, text);
    const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { MONTHLY_MODELS: Record<string, unknown> };
    const registry = parseRegistry(mod.MONTHLY_MODELS);
    expect(Object.keys(registry)).toEqual([...Object.keys(parseRegistryText(real)), input.systemId, second.systemId]);
    expect(registry).toEqual(parseRegistryText(text));
  });

  it('escapes quotes, backslashes and newlines in strings', () => {
    expect(tsString("it's a \\ \"x\"\nnext")).toBe("'it\\'s a \\\\ \"x\"\\nnext'");
  });

  it('next steps name the upload, paste, compare and promote/retire commands for this id', () => {
    const steps = nextSteps({ systemId: input.systemId, file: 'models/m.cbm', modelPath: input.modelPath, registryFile: 'config/monthly-models.ts' });
    expect(steps).toContain('npm run --silent cli -- model upload models/m.cbm --bucket gs://nba-props-platform-models/catboost/v9/monthly/');
    expect(steps).toContain(`creates ${input.modelPath}`);
    expect(steps).not.toContain('gsutil');
    expect(steps).toContain(`compare ${input.systemId}   (the verdict, since training ended`);
    expect(steps).toContain(`registry promote ${input.systemId}`);
    expect(steps).toContain(`registry retire ${input.systemId} --reason`);
  });

  it('after --add the next steps say the entry is already in the file instead of asking for a paste', () => {
    const base = { systemId: 'catboost_v9_x', file: 'models/m.cbm', modelPath: 'gs://b/v9/m-abc.cbm', registryFile: 'config/monthly-models.ts' };
    const added = nextSteps({ ...base, added: true });
    expect(added).toContain('2. Check:    the entry is already in config/monthly-models.ts (--add)');
    expect(added).not.toContain('Paste:');
    expect(nextSteps(base)).toContain('2. Paste:    the entry above into MONTHLY_MODELS in config/monthly-models.ts');
    expect(added).toContain('already uploaded');
  });
});
