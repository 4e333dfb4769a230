/** `nba_predictions.notifications_sent`: a date's user-facing message is sent once (re-runs skip it unless forced). */
import { col, defineTable, type RowOf } from './define.js';

export const notificationsTable = defineTable({
  dataset: 'nba_predictions',
  name: 'notifications_sent',
  description: 'One row per (game date, kind) of user-facing notification that was delivered.',
  columns: {
    game_date: col.date('Game date'),
    kind: col.string('e.g. picks_slack, bias_alert_slack'),
    system_id: col.string('The system the message is about (always the champion)'),
    payload: col.json('The message that was sent'),
    sent_at: col.timestamp('When it was delivered'),
  },
  key: ['game_date', 'kind'],
});

export type NotificationRow = RowOf<typeof notificationsTable>;
