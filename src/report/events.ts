/**
 * @module report/events
 * Registry events (promotions, retirements, …) to mark on the time axis, taken from the lifecycle's
 * audit trail (`model_registry_events`, written by `registry promote/retire/rollback` and
 * `evaluate --add`). Evaluate verdicts are not registry changes and are not marked.
 */
import type { RegistryEventRow } from '../storage/tables/model-registry-events.js';
import { todayIn } from '../worker/slate-date.js';

export interface RegistryEvent {
  /** Game date the event applies from, YYYY-MM-DD. */
  date: string;
  system_id: string;
  /** e.g. promoted, retired, enabled, rollback. */
  kind: string;
  detail?: string;
}

export interface RegistryEventSource {
  /** Events with date in [fromDate, toDate], any order. */
  forRange(fromDate: string, toDate: string): Promise<RegistryEvent[]>;
}

const MARKED_ACTIONS: Readonly<Record<string, string>> = {
  promote: 'promoted',
  retire: 'retired',
  rollback: 'rollback',
  entry_added: 'added',
};

/**
 * The audit trail's registry changes as marks: one per promote, retire, rollback or entry added,
 * dated by the action's time in the slate's time zone (`timeZone`, e.g. America/New_York), so a
 * promotion at 01:00 UTC marks the New York date it happened on. Pure.
 */
export function eventsFromAudit(rows: readonly RegistryEventRow[], timeZone: string): RegistryEvent[] {
  const marks: RegistryEvent[] = [];
  for (const r of rows) {
    const kind = MARKED_ACTIONS[r.action];
    if (!kind) continue;
    const detail = [r.reason, r.forced ? 'forced' : null, r.actor].filter((x): x is string => !!x).join('; ');
    marks.push({ date: todayIn(timeZone, new Date(r.event_time)), system_id: r.system_id, kind, detail });
  }
  return marks;
}

/** A RegistryEventSource over a storage's audit trail (the report, dashboard and demo use it). */
export function auditEventSource(log: { list(systemId?: string): Promise<RegistryEventRow[]> }, timeZone: string): RegistryEventSource {
  return {
    async forRange(fromDate, toDate) {
      return eventsFromAudit(await log.list(), timeZone).filter((e) => e.date >= fromDate && e.date <= toDate);
    },
  };
}
