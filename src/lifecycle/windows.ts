/**
 * @module lifecycle/windows
 * THE train/eval date rule, in one place (incident 10.7: a model evaluated or promoted on games it
 * was trained on looks far better than it is). Used by the registry schema (config/registry.ts),
 * `evaluate` (declared and recorded windows), `train` and `registry promote`. Dates are YYYY-MM-DD
 * strings (they compare correctly as strings). Pure; no imports beyond date arithmetic.
 */

/** `date` shifted by `days` (negative = earlier), YYYY-MM-DD. */
function shift(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The rule: training must end strictly BEFORE the first evaluation (or comparison) day. */
export function trainedBefore(trainEnd: string, firstEvalDay: string): boolean {
  return trainEnd < firstEvalDay;
}

/** The first day a model may be judged on: the day after its training window ends. */
export function firstDayAfterTraining(trainEnd: string): string {
  return shift(trainEnd, 1);
}

export interface OverlapResult {
  /** Eval dates the training window also covers (0 = none; training may still end on/after eval start). */
  overlapDays: number;
  /** True when the rule is broken (training does not end before evaluation starts). */
  blocked: boolean;
  overlapFrom?: string;
  overlapTo?: string;
  /** The two ways to fix it, one line. */
  fix?: string;
  /** The latest training end this evaluation window allows (the day before eval starts). */
  latestTrainEnd?: string;
  /** The earliest evaluation start this training window allows (the day after training ends). */
  earliestEvalStart?: string;
}

/** Checks a training window against an evaluation window with the one rule above. */
export function trainEvalOverlap(w: { trainStart: string; trainEnd: string; evalStart: string; evalEnd: string }): OverlapResult {
  if (trainedBefore(w.trainEnd, w.evalStart)) return { overlapDays: 0, blocked: false };
  const from = w.trainStart > w.evalStart ? w.trainStart : w.evalStart;
  const to = w.trainEnd < w.evalEnd ? w.trainEnd : w.evalEnd;
  const days = to >= from ? Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1 : 0;
  return {
    overlapDays: days,
    blocked: true,
    overlapFrom: from,
    overlapTo: to,
    fix: `use --train-end ${shift(w.evalStart, -1)} (train ends the day before eval starts) or --eval-start ${firstDayAfterTraining(w.trainEnd)}`,
    latestTrainEnd: shift(w.evalStart, -1),
    earliestEvalStart: firstDayAfterTraining(w.trainEnd),
  };
}

/**
 * The comparison window for a promotion or compare: from `fromDate` (default: the day after
 * training ends) to `toDate`, never earlier than the day after training ends. A window with a
 * FIXED start is what keeps the verdict's confidence sequence valid under daily looks; a trailing
 * `days` window is allowed but noted. Returns the window and notes, or `empty` when no day after
 * training lies in it.
 */
export function comparisonWindow(o: { toDate: string; trainEnd?: string | undefined; fromDate?: string | undefined; days?: number | undefined }):
  | { ok: true; fromDate: string; toDate: string; notes: string[] }
  | { ok: false; reason: string } {
  const notes: string[] = [];
  let from = o.fromDate ?? (o.days !== undefined ? shift(o.toDate, -(o.days - 1)) : o.trainEnd !== undefined ? firstDayAfterTraining(o.trainEnd) : shift(o.toDate, -6));
  if (o.days !== undefined && o.fromDate === undefined) notes.push(`trailing ${o.days}-day window: the verdict's daily-look guarantee is for a fixed start (omit --days to compare since training ended)`);
  if (o.trainEnd !== undefined && !trainedBefore(o.trainEnd, from)) {
    from = firstDayAfterTraining(o.trainEnd);
    notes.push(`window starts ${from}, the day after training ends (${o.trainEnd})`);
  }
  if (from > o.toDate) return { ok: false, reason: `trained through ${o.trainEnd}: no day after training up to ${o.toDate}` };
  return { ok: true, fromDate: from, toDate: o.toDate, notes };
}
