/**
 * `nba_predictions.model_registry_events`: the audit trail of the model lifecycle. One row per
 * action (an evaluate verdict, an entry added, a promotion, a retirement, a rollback), appended
 * and never updated; forced overrides carry `forced = true` and their reason. `registry history`
 * prints it and `registry rollback` reads the previous champion's exact path and sha256 from it.
 */
import { col, defineTable, type RowOf } from './define.js';

export const REGISTRY_ACTIONS = ['evaluate', 'entry_added', 'promote', 'retire', 'rollback'] as const;

export const modelRegistryEventsTable = defineTable({
  dataset: 'nba_predictions',
  name: 'model_registry_events',
  description: 'Audit trail of model lifecycle actions (evaluate, entry added, promote, retire, rollback); append-only.',
  columns: {
    event_id: col.string('Unique id of the event (time + random suffix)'),
    event_time: col.timestamp('When the action was taken'),
    action: col.enum(REGISTRY_ACTIONS, 'What was done'),
    actor: col.string('Who did it: the gcloud account when configured, else user@host'),
    system_id: col.string('The model the action is about (catboost_v9 for the champion slot)'),
    from_path: col.string('Model path before the action (the replaced champion for promote/rollback)').nullable(),
    from_sha256: col.string('Full sha256 of from_path').nullable(),
    to_path: col.string('Model path after the action (the new champion, the added entry)').nullable(),
    to_sha256: col.string('Full sha256 of to_path').nullable(),
    verdict: col.string('The decision in words (PASS/FAIL gates, the comparison verdict)').nullable(),
    metrics: col.json('The numbers behind the verdict (hit rates, N, MAE, window) as JSON').nullable(),
    forced: col.bool('true when a rule was overridden (--force); reason says why'),
    reason: col.string('The operator-given reason (retire, rollback, forced overrides)').nullable(),
    registry_file: col.string('The registry file the action read or edited').nullable(),
  },
  key: ['event_id'],
  clusterBy: ['system_id'],
});

export type RegistryEventRow = RowOf<typeof modelRegistryEventsTable>;
export type RegistryAction = (typeof REGISTRY_ACTIONS)[number];
