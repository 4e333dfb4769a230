import { describe, expect, it } from 'vitest';
import { PROMOTION_DEFAULTS, decidePromotion, type PromotionEntry } from './promotion.js';
import type { Verdict } from './verdict.js';
import { comparisonWindow, trainEvalOverlap, trainedBefore } from './windows.js';

function verdict(over: Partial<Verdict> & { n?: number } = {}): Verdict {
  const n = over.n ?? 400;
  return {
    verdict: 'CHALLENGER BETTER',
    reason: 'test',
    challengerId: 'catboost_v9_chal',
    championId: 'catboost_v9',
    matchedRows: n,
    gameDays: 10,
    hitRate: { challenger: { wins: n * 0.6, n, pct: 60 }, champion: { wins: n / 2, n, pct: 50 }, diffPp: null },
    mae: { challenger: { n, points: 4.8 }, champion: { n, points: 5 }, diffPoints: null },
    disagreement: { n: 0, challengerWins: 0, championWins: 0, decided: 0, challengerHitRatePct: null },
    toDecide: null,
    method: { alpha: 0.05, horizonDays: 14, minDays: 5 },
    ...over,
  };
}

const ENTRY: PromotionEntry = {
  enabled: true,
  model_path: 'models/chal.cbm',
  sha256: 'b'.repeat(64),
  gates: { outcome: 'passed', evaluated_on: '2026-02-01', failed: [], training_window: 'verified' },
};
const CHAMP = { modelPath: 'models/champ.cbm', sha256: 'a'.repeat(64) };
const POLICY = { minGradedDays: 7, minMatchedBets: 50 };
const decide = (o: { entry?: Partial<PromotionEntry>; verdict?: Verdict; force?: boolean; reason?: string; policy?: typeof POLICY }) =>
  decidePromotion({ entry: { ...ENTRY, ...o.entry }, champion: CHAMP, verdict: o.verdict ?? verdict(), policy: o.policy ?? POLICY, force: o.force, reason: o.reason });
const failed = (d: ReturnType<typeof decide>) => d.rules.filter((r) => !r.pass).map((r) => r.rule);

describe('decidePromotion', () => {
  it('promotes only on CHALLENGER BETTER; NOT YET DECIDED (the 56.5 % vs 55.6 % case) and CHAMPION BETTER are refused', () => {
    expect(decide({})).toMatchObject({ allowed: true, forced: false });
    for (const v of ['NOT YET DECIDED', 'CHAMPION BETTER'] as const) {
      const d = decide({ verdict: verdict({ verdict: v, hitRate: { challenger: { wins: 147, n: 260, pct: 56.5 }, champion: { wins: 170, n: 306, pct: 55.6 }, diffPp: null } }) });
      expect(d.allowed).toBe(false);
      expect(failed(d)).toEqual(['verdict']);
      expect(d.refusal).toContain(v);
    }
  });

  it('--min-n: exactly the minimum passes, one fewer fails', () => {
    expect(decide({ verdict: verdict({ n: 50 }) }).allowed).toBe(true);
    const d = decide({ verdict: verdict({ n: 49 }) });
    expect(d.allowed).toBe(false);
    expect(failed(d)).toEqual(['sample']);
  });

  it('minimum graded game days: exactly the minimum passes, one fewer fails', () => {
    expect(decide({ verdict: verdict({ gameDays: 7 }) }).allowed).toBe(true);
    expect(failed(decide({ verdict: verdict({ gameDays: 6 }) }))).toEqual(['game days']);
    expect(PROMOTION_DEFAULTS.minGradedDays).toBe(7);
  });

  it('refuses failed, missing gates; disabled (retired or promoted) entries; the champion itself', () => {
    const g = decide({ entry: { gates: { outcome: 'failed', evaluated_on: '2026-02-01', failed: ['Hit rate edge 3+'], training_window: 'verified' } } });
    expect(failed(g)).toEqual(['gates']);
    expect(g.refusal).toContain('Hit rate edge 3+');
    expect(failed(decide({ entry: { gates: undefined } }))).toEqual(['gates']);
    expect(failed(decide({ entry: { enabled: false } }))).toEqual(['entry state']);
    expect(failed(decide({ entry: { model_path: CHAMP.modelPath } }))).toEqual(['entry state']);
    expect(failed(decide({ entry: { sha256: CHAMP.sha256 } }))).toEqual(['entry state']);
    expect(decide({ entry: { gates: { outcome: 'previous_champion', evaluated_on: '2026-02-01', failed: [], training_window: 'verified' } } }).allowed).toBe(true);
  });

  it('--force needs a reason, and the decision says FORCED', () => {
    const v = verdict({ verdict: 'NOT YET DECIDED' });
    expect(decide({ verdict: v, force: true }).allowed).toBe(false);
    expect(decide({ verdict: v, force: true, reason: '   ' }).refusal).toMatch(/--force needs --reason/);
    expect(decide({ verdict: v, force: true, reason: ' champion file\n corrupted ' })).toMatchObject({ allowed: true, forced: true, reason: 'champion file corrupted' });
    // forcing a passing promotion is not "forced"
    expect(decide({ force: true, reason: 'x' })).toMatchObject({ allowed: true, forced: false });
  });
});

describe('windows: the one train/eval rule', () => {
  it('training must end strictly before the first evaluated day', () => {
    expect(trainedBefore('2026-01-31', '2026-02-01')).toBe(true);
    expect(trainedBefore('2026-02-01', '2026-02-01')).toBe(false);
    expect(trainEvalOverlap({ trainStart: '2026-01-01', trainEnd: '2026-02-01', evalStart: '2026-02-01', evalEnd: '2026-02-07' })).toMatchObject({ blocked: true, overlapDays: 1 });
    expect(trainEvalOverlap({ trainStart: '2026-01-01', trainEnd: '2026-01-31', evalStart: '2026-02-01', evalEnd: '2026-02-07' })).toMatchObject({ blocked: false, overlapDays: 0 });
  });

  it('a comparison window touching the training end starts the day after it', () => {
    const w = comparisonWindow({ toDate: '2026-02-10', trainEnd: '2026-02-04', days: 7 }); // 02-04..02-10
    expect(w).toMatchObject({ ok: true, fromDate: '2026-02-05', toDate: '2026-02-10' });
    const clear = comparisonWindow({ toDate: '2026-02-10', trainEnd: '2026-02-03', days: 7 });
    expect(clear).toMatchObject({ ok: true, fromDate: '2026-02-04' });
    // default: a fixed start, the day after training
    expect(comparisonWindow({ toDate: '2026-02-10', trainEnd: '2026-01-20' })).toMatchObject({ ok: true, fromDate: '2026-01-21' });
    expect(comparisonWindow({ toDate: '2026-02-10', trainEnd: '2026-02-10' })).toMatchObject({ ok: false });
    expect(comparisonWindow({ toDate: '2026-02-10', trainEnd: '2026-02-09' })).toMatchObject({ ok: true, fromDate: '2026-02-10' });
  });
});
