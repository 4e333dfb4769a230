/**
 * @module cli/json
 * `--json`: one JSON document on stdout instead of the table. Every document has `kind` (which
 * report) and `version` (bumped only when a key changes meaning or disappears; new keys may be
 * added). The shapes are documented in docs/cli-json.md; test/cli/json.test.ts checks the
 * top-level keys of each kind against that page.
 */
import type { CliIo } from './io.js';
import type { ModelComparison } from '../grading/compare.js';

export const JSON_VERSION = 1;

/** Write one report as JSON (pretty, trailing newline). */
export function emitJson(io: CliIo, kind: string, body: Record<string, unknown>): void {
  io.out(`${JSON.stringify({ kind, version: JSON_VERSION, ...body }, null, 2)}\n`);
}

/** The comparison in the documented snake_case shape (`compare`, `evaluate`, `registry promote`). */
export function comparisonJson(c: ModelComparison): Record<string, unknown> {
  return {
    challenger_id: c.challengerId,
    champion_id: c.championId,
    from_date: c.fromDate,
    to_date: c.toDate,
    game_days: c.gameDays,
    challenger_rows: c.challengerRows,
    champion_rows: c.championRows,
    matched_rows: c.matchedRows,
    challenger: c.challenger,
    champion: c.champion,
    disagreements: c.disagreements,
    hit_rate_diff_pp: c.hitRateDiffPp,
    verdict: c.verdict,
    verdict_text: c.verdictText,
    decision: c.decision,
  };
}
