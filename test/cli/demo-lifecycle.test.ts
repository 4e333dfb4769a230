/**
 * `npm run demo -- --days 14` shows the model lifecycle honestly (issue 12): the committed demo
 * challenger (trained by `cli train`, lineage in the file) passes the 7 gates on the first days
 * without leakage, shadows the rest, `compare` reaches a verdict and `registry promote` promotes
 * by the rule, on copies of the registry and local.env in the data dir. No Python.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { parseRegistryText } from '../../src/lifecycle/registry-file.js';
import { readLineage } from '../../src/training/lineage.js';
import { DEMO_CHALLENGER } from '../../src/lifecycle/demo-lifecycle.js';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'pw-demo-lifecycle-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('demo season lifecycle', () => {
  it('the committed challenger carries its lineage and is small', () => {
    const bytes = readFileSync(join(ROOT, DEMO_CHALLENGER.file));
    expect(bytes.length).toBeLessThan(2 * 1024 * 1024);
    const l = readLineage(bytes, DEMO_CHALLENGER.file);
    expect(l.status).toBe('recorded');
    if (l.status === 'recorded') expect(l.lineage).toMatchObject({ train_start: '2026-10-11', train_end: '2026-11-28', game_days: 49, catboost_version: '1.2.8' });
  });

  it('14 days: gates pass with verified lineage, the challenger shadows, the verdict decides, promote promotes by the rule', async () => {
    const dataDir = join(tmp, 'season');
    const realRegistry = readFileSync(join(ROOT, 'config/monthly-models.ts'), 'utf8');
    const realEnv = readFileSync(join(ROOT, 'config/local.env'), 'utf8');
    let out = '';
    let err = '';
    const code = await main(['demo', 'season', '--days', '14', '--start-date', '2026-11-30', '--data-dir', dataDir], {
      out: (s) => void (out += s),
      err: (s) => void (err += s),
      env: { WORKER_DATA_DIR: tmp },
      cwd: ROOT,
    });
    expect(code).toBe(0);
    expect(err).not.toMatch(/warning: .* were not written/);

    const evaluation = out.slice(out.indexOf('== lifecycle: cli evaluate'), out.indexOf('== lifecycle: cli compare'));
    expect(evaluation).toContain('train  2026-10-11..2026-11-28   eval 2026-11-30..2026-12-05');
    expect(evaluation).toContain('lineage verified from the model file');
    expect(evaluation).toMatch(/^Too good to be true .* PASS$/m);
    expect(evaluation).toContain('ALL 7 GATES PASSED');
    expect(err).toMatch(/worker on http:\/\/127\.0\.0\.1:\d+ with 4 models: .*catboost_v9_demo_challenger/);

    const compare = out.slice(out.indexOf('== lifecycle: cli compare'), out.indexOf('== lifecycle: cli registry promote'));
    expect(compare).toContain('VERDICT: CHALLENGER BETTER');
    expect(compare).toMatch(/sample {8}\d+ matched rows over 8 game day\(s\)/);

    const promote = out.slice(out.indexOf('== lifecycle: cli registry promote'));
    expect(promote).toContain('(exit 0)');
    expect(promote).toContain('PASS  verdict: CHALLENGER BETTER');
    expect(promote).toContain('PASS  gates: passed (evaluated 2026-12-06, training window verified)');
    expect(promote).toContain('PASS  game days: 8 graded game days >= 7');
    const registry = parseRegistryText(readFileSync(join(dataDir, 'monthly-models.ts'), 'utf8'));
    expect(registry[DEMO_CHALLENGER.systemId]!.enabled).toBe(false);
    expect(registry['catboost_v9_prev_20261214']).toMatchObject({ enabled: true, model_path: 'models/catboost_v9_demo_champion.cbm' });
    expect(readFileSync(join(dataDir, 'local.env'), 'utf8')).toContain(`CATBOOST_V9_MODEL_PATH=${DEMO_CHALLENGER.file}`);
    // the report marks the promotion from the audit trail on its time axis
    expect(readFileSync(join(dataDir, 'report.html'), 'utf8')).toContain(`promoted: ${DEMO_CHALLENGER.systemId}`);
    // the real files are never touched
    expect(readFileSync(join(ROOT, 'config/monthly-models.ts'), 'utf8')).toBe(realRegistry);
    expect(readFileSync(join(ROOT, 'config/local.env'), 'utf8')).toBe(realEnv);
  }, 240_000);
});
