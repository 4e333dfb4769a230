/**
 * @module synthetic/csv
 * The training CSV the Python fixture script reads: header = the 33 V9 names + `points`, one row
 * per player-game, an empty cell for a missing (NaN) value. Numbers are written with JavaScript's
 * shortest round-trip form, which Python's float() reads back to the same double.
 */
import type { TrainingSet } from './season.js';

export function formatCell(value: number): string {
  if (Number.isNaN(value)) return '';
  if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} to the training CSV`);
  return Object.is(value, -0) ? '0' : String(value);
}

export function trainingCsv(set: TrainingSet): string {
  const lines = [[...set.featureNames, 'points'].join(',')];
  set.features.forEach((row, i) => lines.push([...row, set.points[i]].map(formatCell).join(',')));
  return `${lines.join('\n')}\n`;
}
