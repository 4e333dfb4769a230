/**
 * @module predictions/request
 * The prediction request a coordinator publishes: one message per player (original §1.3).
 * Only player_lookup, game_date and game_id are required; everything else is context that is
 * copied onto the rows when present. Unknown extra fields pass validation but are not stored.
 */
import { z } from 'zod';
import { PLAUSIBLE_LINE } from './plausible.js';
import { isRealCalendarDay } from '../storage/tables/define.js';

const YYYY_MM_DD = /^\d{4}-\d{2}-\d{2}$/;

/** YYYY-MM-DD that is also a real calendar date (2026-02-30 is refused; the rule: storage/tables/define.ts). */
export const calendarDate = z
  .string()
  .regex(YYYY_MM_DD, 'expected YYYY-MM-DD')
  .refine(isRealCalendarDay, 'not a real calendar date');

const optionalText = z.string().nullish();
const optionalNumber = z.number().nullish();
const optionalBool = z.boolean().nullish();
/** A book line: a points value in PLAUSIBLE_LINE (a 1e308 "line" is refused, not stored). */
const bookLine = z
  .number()
  .min(PLAUSIBLE_LINE.min, `a book line must be within [${PLAUSIBLE_LINE.min}, ${PLAUSIBLE_LINE.max}] points`)
  .max(PLAUSIBLE_LINE.max, `a book line must be within [${PLAUSIBLE_LINE.min}, ${PLAUSIBLE_LINE.max}] points`);

export const predictionRequestSchema = z
  .looseObject({
  player_lookup: z.string().min(1).max(128),
  game_date: calendarDate,
  game_id: z.string().min(1).max(128),
  /** Lines to predict against; normally one, `[null]` for no line. Only their median is used. */
  line_values: z.array(bookLine.nullable()).max(64).nullish(),
  actual_prop_line: bookLine.nullish(),
  has_prop_line: optionalBool,
  line_source: optionalText,
  line_source_api: optionalText,
  sportsbook: optionalText,
  was_line_fallback: optionalBool,
  line_minutes_before_game: optionalNumber,
  team_abbr: optionalText,
  opponent_team_abbr: optionalText,
  is_home: optionalBool,
  projected_minutes: optionalNumber,
  prediction_run_mode: optionalText,
  batch_id: optionalText,
  correlation_id: optionalText,
  })
  // A message that claims a book line must carry one: otherwise its row would say "has a prop line"
  // beside NO_LINE, and nothing downstream could tell which half is true (issue 7, class 1).
  .refine(
    (r) => r.has_prop_line !== true || typeof r.actual_prop_line === 'number' || (r.line_values ?? []).some((v) => typeof v === 'number'),
    { path: ['has_prop_line'], message: 'has_prop_line is true but neither actual_prop_line nor any line_values value is given' },
  );

export type PredictionRequest = z.infer<typeof predictionRequestSchema>;
