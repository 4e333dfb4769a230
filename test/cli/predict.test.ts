/**
 * End to end: spawns the real CLI (`tsx src/cli/index.ts predict …`) on real model files and
 * checks stdout line by line. Models: one built here (always), the shared V9 models (skipped when
 * ../shared is absent) and the project's CatBoost-generated fixtures (when present).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { V9_FEATURE_NAMES } from '../../src/features/contract.js';
import { loadPredictor } from '../../src/models/load-predictor.js';
import { ModelStore } from '../../src/models/model-store.js';
import { NATIVE_TOLERANCE, ONNX_TOLERANCE, fixtureModels, maxAbsDiff } from '../models/fixture-cases.js';
import { SHARED_V9, haveSharedV9, tempDir, tinyCatBoostJson, tinyExpected, type TinyModelSpec } from '../models/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

/** Shared V9 models: machine-dependent (test/helpers/machine.ts). */
const HAVE_SHARED_V9 = haveSharedV9();

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], cwd: string): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(TSX, [join(ROOT, 'src/cli/index.ts'), 'predict', ...args], { cwd, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The same dispatcher as the binary, called in-process with captured streams. */
async function inProcess(args: string[], cwd: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['predict', ...args], { out: (t) => void (stdout += t), err: (t) => void (stderr += t), env: {}, cwd });
  return { code, stdout, stderr };
}

let dir: string;
let cleanup: () => void;
beforeAll(() => ({ dir, cleanup } = tempDir('pw-cli-predict-')));
afterAll(() => cleanup());

const spec: TinyModelSpec = {
  featureNames: ['alpha', 'beta', 'gamma'],
  bias: 0.1,
  trees: [
    { feature: 0, leaves: [1.5, -2.25] },
    { feature: 2, leaves: [0.0625, 3.125] },
    { feature: 1, leaves: [-0.5, 0.75] },
  ],
};

/** Format like the CLI: 17 significant digits. */
const fmt = (v: number) => v.toPrecision(17);

describe('cli predict', () => {
  it('prints one prediction per row, columns matched by name, extra columns ignored, blanks and nan missing', async () => {
    writeFileSync(join(dir, 'tiny.json'), tinyCatBoostJson(spec));
    // Columns in another order than the model's, one extra column, quoted fields.
    const csv = ['gamma,note,alpha,beta', '1,"a, note",0,1', ',x,NaN,0.5', '0.25,"",1e3,nan', '"2",y,-1,'].join('\n');
    writeFileSync(join(dir, 'in.csv'), csv);
    const rows = [
      [0, 1, 1],
      [NaN, 0.5, NaN],
      [1000, NaN, 0.25],
      [-1, NaN, 2],
    ];
    const r = await cli(['--model', 'tiny.json', '--input', 'in.csv'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(rows.map((row) => `${fmt(tinyExpected(spec, row))}\n`).join(''));
  });

  it('fails in a spawned process with a non-zero exit, one stderr line and no stdout', async () => {
    writeFileSync(join(dir, 'tiny.json'), tinyCatBoostJson(spec));
    writeFileSync(join(dir, 'bad.csv'), 'alpha,beta,gamma\n1,2,3\n1,two,3\n');
    const r = await cli(['--model', 'tiny.json', '--input', 'bad.csv'], dir);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/line 3, column 'beta': 'two' is not a number/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  // The remaining failure modes run through the same dispatcher in-process (spawning costs seconds).
  it.each([
    ['a missing feature column, naming it', 'alpha,gamma\n1,2\n', [], /lacks 1 model feature column\(s\): beta/],
    ['a ragged row', 'alpha,beta,gamma\n1,2,3\n1,2\n', [], /line 3: 2 fields, header has 3/],
    ['an empty file', '', [], /empty/],
    ['malformed quoting', 'alpha,beta,gamma\n"1,2,3\n', [], /line 2: unterminated quoted field/],
    ['an unknown input file', null, [], /cannot read --input nope\.csv/],
    ['an unknown model file', 'alpha,beta,gamma\n1,2,3\n', ['--model', 'nope.cbm'], /PW_ERR_MODEL_NOT_FOUND.*nope\.cbm/],
    ['a bad --engine', 'alpha,beta,gamma\n1,2,3\n', ['--engine', 'gpu'], /--engine must be one of auto, native, onnx/],
    ['an engine that cannot read the file', 'alpha,beta,gamma\n1,2,3\n', ['--engine', 'onnx'], /export to \.onnx first/],
  ] as Array<[string, string | null, string[], RegExp]>)('fails on %s with a one-line reason and no stdout', async (_name, csv, extra, reason) => {
    writeFileSync(join(dir, 'tiny.json'), tinyCatBoostJson(spec));
    const input = csv === null ? 'nope.csv' : 'case.csv';
    if (csv !== null) writeFileSync(join(dir, input), csv);
    const flags = new Map([['--model', 'tiny.json'], ['--input', input]]);
    for (let i = 0; i < extra.length; i += 2) flags.set(extra[i]!, extra[i + 1]!);
    const r = await inProcess([...flags].flat(), dir);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(reason);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it.skipIf(!HAVE_SHARED_V9)('agrees with the in-process predictor on a real V9 model, columns shuffled (shared fixtures)', async () => {
    const model = join(SHARED_V9, 'catboost_v9_exp_A3_20260129_211030.cbm');
    const meta = JSON.parse(readFileSync(join(SHARED_V9, 'catboost_v9_exp_A3_20260129_211030_metadata.json'), 'utf8')) as {
      feature_medians: Record<string, number>;
    };
    // 300 rows around the training medians (enough to span two predict batches is not needed;
    // varied values and missing cells are), in a deterministic pseudo-random walk.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const rows = Array.from({ length: 300 }, () =>
      V9_FEATURE_NAMES.map((f) => (rand() < 0.05 ? Number.NaN : (meta.feature_medians[f] ?? 0) * (0.5 + rand()))),
    );
    const shuffled = [...V9_FEATURE_NAMES].reverse();
    const csv = [shuffled.join(','), ...rows.map((row) => shuffled.map((f) => {
      const v = row[V9_FEATURE_NAMES.indexOf(f)]!;
      return Number.isNaN(v) ? '' : String(v);
    }).join(','))].join('\n');
    writeFileSync(join(dir, 'v9.csv'), csv);

    const p = await loadPredictor({ path: model, engine: 'native', store: new ModelStore() });
    const expected = await p.predict(Float64Array.from(rows.flat()), rows.length);
    const r = await cli(['--model', model, '--input', 'v9.csv'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(Array.from(expected, (v) => `${fmt(v)}\n`).join(''));
  });

  describe('project fixtures generated by CatBoost (test/fixtures/models)', () => {
    const fixtures = fixtureModels();
    const spawned = fixtures.find((f) => f.stem === 'nan_min_d6') ?? fixtures[0];
    it.skipIf(!spawned)('spawned CLI matches CatBoost: native ≤ 1e-9, onnx ≤ ONNX_TOLERANCE', async () => {
      const [native, onnx] = await Promise.all([
        cli(['--model', spawned!.files.cbm!, '--input', spawned!.rowsCsv], dir),
        cli(['--model', spawned!.files.onnx!, '--input', spawned!.rowsCsv], dir),
      ]);
      for (const [r, tolerance] of [[native, NATIVE_TOLERANCE], [onnx, ONNX_TOLERANCE]] as const) {
        expect(r.stderr).toBe('');
        const lines = r.stdout.split('\n').slice(0, -1);
        expect(lines).toHaveLength(spawned!.expected.length);
        // 17 significant digits, nothing else on the line.
        for (const line of lines) expect(line.replace(/^-/, '').replace(/e[+-]\d+$/, '').replace('.', '').replace(/^0+/, '')).toHaveLength(17);
        expect(maxAbsDiff(lines.map(Number), spawned!.expected)).toBeLessThanOrEqual(tolerance);
      }
    });

    // Every fixture and format through the same dispatcher in-process (spawning costs seconds).
    const combos = fixtures.flatMap((f) => (Object.entries(f.files) as Array<[string, string]>).map(([ext, file]) => ({ f, ext, file })));
    it.skipIf(combos.length === 0).each(combos.map((c) => [`${c.f.stem}.${c.ext}`, c] as const))('%s: stdout matches CatBoost', async (_name, c) => {
      const r = await inProcess(['--model', c.file, '--input', c.f.rowsCsv], dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const values = r.stdout.trimEnd().split('\n').map(Number);
      expect(values).toHaveLength(c.f.expected.length);
      expect(maxAbsDiff(values, c.f.expected)).toBeLessThanOrEqual(c.ext === 'onnx' ? ONNX_TOLERANCE : NATIVE_TOLERANCE);
    });
  });
});
