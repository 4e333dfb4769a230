/**
 * @module predictions/plausible
 * The one home of "what a points number can be" (issue 7, classes 1 and 3). NBA single-game
 * scoring: the record is 100 points (1962); a player-points book line is a small positive number
 * (0.5 … ~60 in practice). Anything far outside is a broken model, a corrupt file or a hostile
 * message, never a prediction or a line to store.
 */

/** A model's point prediction (before the [0, 60] clamp) must lie in this range, inclusive. */
export const PLAUSIBLE_PREDICTION = { min: -50, max: 150 } as const;
/** A book line (actual_prop_line, line_values) must lie in this range, inclusive. */
export const PLAUSIBLE_LINE = { min: 0, max: 100 } as const;
/**
 * Largest |scale × leaf value| and |bias| a points model may have (a single tree moving a
 * prediction by more than this is damage, e.g. a flipped exponent bit gives 1e182).
 */
export const MAX_ABS_LEAF_CONTRIBUTION = 1_000;

/** True when `value` is a finite number inside `range` (inclusive). */
export function inRange(value: number, range: { readonly min: number; readonly max: number }): boolean {
  return Number.isFinite(value) && value >= range.min && value <= range.max;
}

/** Why a prediction is not a points value, or undefined when it is plausible. */
export function implausiblePrediction(value: number): string | undefined {
  if (inRange(value, PLAUSIBLE_PREDICTION)) return undefined;
  return `prediction ${String(value)} is outside the plausible points range [${PLAUSIBLE_PREDICTION.min}, ${PLAUSIBLE_PREDICTION.max}]`;
}
