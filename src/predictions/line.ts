/**
 * @module predictions/line
 * The ONE line a message is predicted against. The original accepted several `line_values` per
 * message and wrote one row per line; "newest row wins" dedup then kept base+2 and produced a
 * +2-point UNDER bias (incident 10.6). Here a message yields exactly one line (or none), and
 * both the stored line and the recommendation come from it.
 */
import type { PredictionRequest } from './request.js';
import type { LINE_PROVENANCE } from '../storage/tables/player-prop-predictions.js';

export type LineProvenance = (typeof LINE_PROVENANCE)[number];

export interface ChosenLine {
  /** The book line, or null when the request carries no real book line. */
  value: number | null;
  provenance: LineProvenance;
}

/**
 * Median of the finite numbers; undefined when there are none. Overflow-free: the middle pair is
 * averaged as a/2 + b/2, so two lines near Number.MAX_VALUE give a finite median (issue 7).
 */
export function median(values: readonly (number | null | undefined)[]): number | undefined {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return undefined;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : finite[mid - 1]! / 2 + finite[mid]! / 2;
}

/**
 * 1. has_prop_line, line_source ACTUAL_PROP and a finite actual_prop_line → that line;
 * 2. has_prop_line and finite line_values → their median;
 * 3. otherwise no line (rows are NO_LINE). A line without has_prop_line (the legacy estimated
 *    lines of incident 10.1) is never used.
 */
export function chooseLine(request: Pick<PredictionRequest, 'has_prop_line' | 'line_source' | 'actual_prop_line' | 'line_values'>): ChosenLine {
  if (request.has_prop_line !== true) return { value: null, provenance: 'none' };
  const actual = request.actual_prop_line;
  if (request.line_source === 'ACTUAL_PROP' && typeof actual === 'number' && Number.isFinite(actual)) {
    return { value: actual, provenance: 'actual_prop_line' };
  }
  const mid = median(request.line_values ?? []);
  if (mid !== undefined) return { value: mid, provenance: 'line_values_median' };
  return { value: null, provenance: 'none' };
}
