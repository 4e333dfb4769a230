/**
 * @module lifecycle/promotion
 * THE promotion rules (moved out of `registry promote`, which is wiring only). Pure: the caller
 * supplies the registry entry, the champion's identity, the verdict (src/lifecycle/verdict.ts) on
 * the comparison window and the operator's flags; the answer lists every rule with pass/fail.
 *
 * A challenger is promoted only when ALL hold:
 *   1. entry state   enabled (a disabled entry is retired or already promoted) and not already the
 *                    champion (same model_path or sha256 as CATBOOST_V9_MODEL_PATH/SHA256);
 *   2. gates         the registry entry records a gate outcome (`gates`) that is `passed` (or
 *                    `previous_champion`, the shadow entry of a replaced champion);
 *   3. verdict       CHALLENGER BETTER on matched graded rows (never a raw hit-rate comparison:
 *                    56.5 % of 260 vs 55.6 % of 306 is noise);
 *   4. game days     at least `minGradedDays` graded game days in the window;
 *   5. sample        at least `minMatchedBets` decided challenger bets on matched rows (--min-n).
 * `force` overrides any failed rule, but only with a non-empty `reason`, and the decision says
 * FORCED so the caller records it. The window itself (never on training days) comes from
 * src/lifecycle/windows.ts.
 */
import type { GateRecord } from '../../config/registry.js';
import type { Verdict } from './verdict.js';

export const PROMOTION_DEFAULTS = {
  /** Graded game days the comparison must span (each game day is one independent cluster). */
  minGradedDays: 7,
  /** Decided challenger bets on matched rows (--min-n). */
  minMatchedBets: 50,
  /** Days the replaced champion keeps running in shadow as a challenger (--shadow-days). */
  shadowDays: 14,
} as const;

export interface PromotionPolicy {
  minGradedDays: number;
  minMatchedBets: number;
}

/** The registry-entry fields the rules read. */
export interface PromotionEntry {
  enabled: boolean;
  model_path: string;
  sha256?: string | undefined;
  gates?: GateRecord | undefined;
}

export interface PromotionRuleResult {
  rule: 'entry state' | 'gates' | 'verdict' | 'game days' | 'sample';
  pass: boolean;
  detail: string;
}

export interface PromotionDecision {
  /** True when every rule passed, or when forced with a reason. */
  allowed: boolean;
  /** Allowed only because of --force (the caller must record it with the reason). */
  forced: boolean;
  rules: PromotionRuleResult[];
  /** Why it was refused (allowed = false). */
  refusal?: string;
  /** The operator's reason, trimmed (forced only). */
  reason?: string;
}

/**
 * Applies the promotion rules. `champion` is the running champion's model path and declared
 * sha256 (if any). Throws nothing; a forced promotion without a reason is refused.
 */
export function decidePromotion(input: {
  entry: PromotionEntry;
  champion: { modelPath: string; sha256?: string | undefined };
  verdict: Verdict;
  policy: PromotionPolicy;
  force?: boolean;
  reason?: string | undefined;
}): PromotionDecision {
  const { entry, verdict, policy } = input;
  const rules: PromotionRuleResult[] = [];

  const isChampion = entry.model_path === input.champion.modelPath || (entry.sha256 !== undefined && entry.sha256 === input.champion.sha256);
  rules.push({
    rule: 'entry state',
    pass: entry.enabled && !isChampion,
    detail: isChampion
      ? 'already the champion (same model as CATBOOST_V9_MODEL_PATH)'
      : entry.enabled
        ? 'enabled, not the champion'
        : 'disabled: retired or already promoted (see the comment on its enabled line)',
  });

  const g = entry.gates;
  rules.push({
    rule: 'gates',
    pass: g !== undefined && (g.outcome === 'passed' || g.outcome === 'previous_champion'),
    detail:
      g === undefined
        ? 'no gate outcome recorded in the entry (paste the entry evaluate prints)'
        : g.outcome === 'failed'
          ? `gates FAILED on ${g.evaluated_on}: ${g.failed.join(', ')}`
          : `${g.outcome === 'passed' ? 'passed' : 'previous champion'} (evaluated ${g.evaluated_on}, training window ${g.training_window})`,
  });

  rules.push({
    rule: 'verdict',
    pass: verdict.verdict === 'CHALLENGER BETTER',
    detail: `${verdict.verdict}: ${verdict.reason}`,
  });
  rules.push({
    rule: 'game days',
    pass: verdict.gameDays >= policy.minGradedDays,
    detail: `${verdict.gameDays} graded game days >= ${policy.minGradedDays}`,
  });
  rules.push({
    rule: 'sample',
    pass: verdict.hitRate.challenger.n >= policy.minMatchedBets,
    detail: `${verdict.hitRate.challenger.n} decided matched bets >= --min-n ${policy.minMatchedBets}`,
  });

  const failed = rules.filter((r) => !r.pass);
  if (failed.length === 0) return { allowed: true, forced: false, rules };
  const reason = (input.reason ?? '').replace(/\s+/g, ' ').trim();
  const failedText = failed.map((r) => `${r.rule} (${r.detail})`).join('; ');
  if (!input.force) return { allowed: false, forced: false, rules, refusal: `fails ${failedText}` };
  if (!reason) return { allowed: false, forced: false, rules, refusal: `--force needs --reason "<why>" (it is recorded); fails ${failedText}` };
  return { allowed: true, forced: true, rules, reason };
}

/**
 * The registry entry that keeps a replaced champion running in shadow as a challenger (issue 12:
 * a rollback decision rests on the same matched comparison). Enabled, with the file's path and
 * sha256, `gates.outcome: previous_champion`, compared from `promotedOn` (shadow_from) and meant
 * to run `shadowDays` days (shadow_until). Its backtest fields carry its LIVE figures as champion
 * on the promotion window. The training window is written only when known (the file's lineage).
 * Returns the system_id (`catboost_v9_prev_<YYYYMMDD>`) and the entry as TypeScript source for
 * insertEntry.
 */
export function previousChampionEntry(p: {
  modelPath: string;
  sha256: string;
  promotedOn: string;
  shadowDays: number;
  trainWindow?: { start: string; end: string } | undefined;
  live: { maePoints: number | null; hitRateAllPct: number | null; hitRateEdge3Pct: number | null; nEdge3: number; window: string };
}): { systemId: string; source: string } {
  const systemId = `catboost_v9_prev_${p.promotedOn.replaceAll('-', '')}`;
  const until = new Date(Date.parse(`${p.promotedOn}T00:00:00Z`) + p.shadowDays * 86_400_000).toISOString().slice(0, 10);
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const num = (x: number | null, dp: number) => (x == null ? 0 : x).toFixed(dp);
  const lines = [
    `  // Previous champion, kept in shadow after the promotion of ${p.promotedOn} (registry promote); retire after ${until}`,
    `  ${systemId}: {`,
    `    model_path: ${q(p.modelPath)},`,
    ...(p.trainWindow ? [`    train_start: ${q(p.trainWindow.start)},`, `    train_end: ${q(p.trainWindow.end)},`] : []),
    `    backtest_mae: ${num(p.live.maePoints, 3)},`,
    `    backtest_hit_rate_all: ${num(p.live.hitRateAllPct, 1)},`,
    `    backtest_hit_rate_edge_3plus: ${num(p.live.hitRateEdge3Pct, 1)},`,
    `    backtest_n_edge_3plus: ${p.live.nEdge3},`,
    `    enabled: true,`,
    `    description: ${q(`Previous champion (live figures as champion, ${p.live.window}); shadow until ${until}`)},`,
    `    sha256: ${q(p.sha256)},`,
    `    feature_set: 'v9',`,
    `    gates: { outcome: 'previous_champion', evaluated_on: ${q(p.promotedOn)}, failed: [], training_window: ${q(p.trainWindow ? 'verified' : 'unverified')} },`,
    `    shadow_from: ${q(p.promotedOn)},`,
    `    shadow_until: ${q(until)},`,
    '  },',
    '',
  ];
  return { systemId, source: lines.join('\n') };
}
