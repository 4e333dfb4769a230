/**
 * @module predictions/confidence
 * confidence_pct on a 0-100 scale (the unit is in the name: incident 10.19 mixed 0-1 and 0-100).
 * The original CatBoost formula (§3.3): 75 + a data-quality bonus + a consistency bonus, clamped
 * to [0, 100], so values lie in 79…95. It does not depend on the model's output.
 */

/** feature_quality_score (missing → 80): ≥ 90 +10, ≥ 80 +7, ≥ 70 +5, else +2. */
export function qualityBonus(featureQualityScore: number | null | undefined): number {
  const q = typeof featureQualityScore === 'number' && Number.isFinite(featureQualityScore) ? featureQualityScore : 80;
  if (q >= 90) return 10;
  if (q >= 80) return 7;
  if (q >= 70) return 5;
  return 2;
}

/** points_std_last_10 (missing → 5): < 4 +10, < 6 +7, < 8 +5, else +2. */
export function consistencyBonus(pointsStdLast10: number | null | undefined): number {
  const s = typeof pointsStdLast10 === 'number' && Number.isFinite(pointsStdLast10) ? pointsStdLast10 : 5;
  if (s < 4) return 10;
  if (s < 6) return 7;
  if (s < 8) return 5;
  return 2;
}

export function confidencePct(featureQualityScore: number | null | undefined, pointsStdLast10: number | null | undefined): number {
  const raw = 75 + qualityBonus(featureQualityScore) + consistencyBonus(pointsStdLast10);
  return Math.min(100, Math.max(0, raw));
}
