/** `nba_analytics.player_game_summary`: what actually happened (points, minutes) per player per game. */
import { col, defineTable, type RowOf } from './define.js';

export const playerGameSummaryTable = defineTable({
  dataset: 'nba_analytics',
  name: 'player_game_summary',
  description: 'Actual box-score outcome per player per game.',
  columns: {
    player_lookup: col.string('Normalised player key'),
    game_id: col.string('Game id'),
    game_date: col.date('Game date'),
    points: col.int('Points scored; null when unknown').nullable(),
    minutes_played: col.float('Minutes played; 0 or null for a DNP').nullable(),
    team_abbr: col.string('Player team').nullable(),
    opponent_team_abbr: col.string('Opponent team').nullable(),
  },
  key: ['game_date', 'player_lookup', 'game_id'],
  partitionBy: 'game_date',
});

export type PlayerGameSummaryRow = RowOf<typeof playerGameSummaryTable>;
