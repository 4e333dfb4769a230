/**
 * @module lifecycle/audit
 * The model lifecycle's audit trail as plain data: building an event row, naming the actor, and
 * reading the champion history back (what `registry rollback` restores). Pure; the CLI appends the
 * rows through `storage.registryEvents` and prints them with `registry history`.
 *
 * Champion history: every `promote` and `rollback` event moves the champion slot
 * (CATBOOST_V9_MODEL_PATH/_SHA256) from `from_*` to `to_*`. A promotion pushes the replaced
 * champion on a stack; a rollback pops it. The rollback target is the top of that stack: after
 * A→B→C (two promotions) a rollback restores B, a second one A.
 */
import { randomBytes } from 'node:crypto';
import { PwError } from '../errors.js';
import { CHAMPION_SYSTEM_ID, type Registry } from '../../config/registry.js';
import type { RegistryAction, RegistryEventRow } from '../storage/tables/model-registry-events.js';

export interface EventInput {
  action: RegistryAction;
  actor: string;
  systemId: string;
  now: Date;
  from?: { path: string; sha256: string | null | undefined } | undefined;
  to?: { path: string; sha256: string | null | undefined } | undefined;
  verdict?: string | undefined;
  /** Numbers behind the verdict; stored as JSON. */
  metrics?: Record<string, unknown> | undefined;
  forced?: boolean | undefined;
  reason?: string | undefined;
  registryFile?: string | undefined;
}

/** One event row; the id is the ISO time plus a random suffix (sortable, unique). */
export function registryEvent(e: EventInput, random: () => string = () => randomBytes(4).toString('hex')): RegistryEventRow {
  const time = e.now.toISOString();
  return {
    event_id: `${time}-${random()}`,
    event_time: time,
    action: e.action,
    actor: e.actor,
    system_id: e.systemId,
    from_path: e.from?.path ?? null,
    from_sha256: e.from?.sha256 ?? null,
    to_path: e.to?.path ?? null,
    to_sha256: e.to?.sha256 ?? null,
    verdict: e.verdict ?? null,
    metrics: e.metrics === undefined ? null : JSON.stringify(e.metrics),
    forced: e.forced ?? false,
    reason: e.reason ?? null,
    registry_file: e.registryFile ?? null,
  };
}

/**
 * Who acted: AUDIT_ACTOR when set, else the gcloud account (`gcloud config get-value account`),
 * else `user@host`. The caller runs gcloud; an empty or "(unset)" answer counts as none.
 */
export function actorFrom(input: { auditActor?: string | undefined; gcloudAccount?: string | undefined; user?: string | undefined; host?: string | undefined }): string {
  if (input.auditActor?.trim()) return input.auditActor.trim();
  const account = input.gcloudAccount?.trim();
  if (account && account !== '(unset)') return account;
  return `${input.user?.trim() || 'unknown'}@${input.host?.trim() || 'localhost'}`;
}

export interface ChampionModel {
  path: string;
  sha256: string | null;
}

export interface ChampionHistory {
  /** The champion the last promote/rollback installed (undefined when none recorded). */
  current: ChampionModel | undefined;
  /** Earlier champions a rollback can restore, most recent last. */
  previous: ChampionModel[];
  /** The event that installed `current`. */
  lastChange: RegistryEventRow | undefined;
}

/** Replay promote/rollback events (oldest first) into the champion history. */
export function championHistory(events: readonly RegistryEventRow[]): ChampionHistory {
  const previous: ChampionModel[] = [];
  let current: ChampionModel | undefined;
  let lastChange: RegistryEventRow | undefined;
  const ordered = [...events].sort((a, b) => a.event_time.localeCompare(b.event_time) || a.event_id.localeCompare(b.event_id));
  for (const e of ordered) {
    if ((e.action !== 'promote' && e.action !== 'rollback') || !e.to_path) continue;
    if (e.action === 'promote') {
      if (e.from_path) previous.push({ path: e.from_path, sha256: e.from_sha256 });
    } else {
      previous.pop();
    }
    current = { path: e.to_path, sha256: e.to_sha256 };
    lastChange = e;
  }
  return { current, previous, lastChange };
}

/**
 * The rollback target: the champion before the current one, with its exact sha256. Throws
 * PW_ERR_ROLLBACK when the trail holds no earlier champion or it was recorded without a sha256
 * (restoring a path without its hash would make the worker refuse it or serve unverified bytes).
 */
export function rollbackTarget(history: ChampionHistory): { from: ChampionModel; to: ChampionModel & { sha256: string } } {
  const target = history.previous.at(-1);
  if (!history.current || !target) {
    throw new PwError('PW_ERR_ROLLBACK', undefined, CHAMPION_SYSTEM_ID, 'the audit trail records no earlier champion (no promotion to undo)');
  }
  if (!target.sha256) {
    throw new PwError('PW_ERR_ROLLBACK', undefined, CHAMPION_SYSTEM_ID, `the previous champion ${target.path} was recorded without a sha256`);
  }
  return { from: history.current, to: { path: target.path, sha256: target.sha256 } };
}

/** One line per event for `registry history` (time, action, actor, system, from → to, verdict, reason). */
export function historyRows(events: readonly RegistryEventRow[]): string[][] {
  const short = (p: string | null, s: string | null) => (p ? `${p}${s ? ` (${s.slice(0, 12)})` : ''}` : '-');
  return events.map((e) => [
    e.event_time.replace(/\.\d+Z$/, 'Z'),
    `${e.action}${e.forced ? ' FORCED' : ''}`,
    e.system_id,
    e.actor,
    e.from_path || e.to_path ? `${short(e.from_path, e.from_sha256)} -> ${short(e.to_path, e.to_sha256)}` : '-',
    oneLine(e.verdict, 60),
    oneLine(e.reason, 60),
  ]);
}

/** A table cell: whitespace collapsed, at most `max` characters ('…' marks a cut), '-' for none. */
function oneLine(text: string | null, max: number): string {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * The events `registry history <id>` shows: those about `id`; for the champion (catboost_v9)
 * also every promote and rollback, since each changes the champion slot.
 */
export function eventsFor(systemId: string | undefined, events: readonly RegistryEventRow[]): RegistryEventRow[] {
  if (systemId === undefined) return [...events];
  return events.filter((e) => e.system_id === systemId || (systemId === CHAMPION_SYSTEM_ID && (e.action === 'promote' || e.action === 'rollback')));
}

/**
 * The previous-champion shadow entries a rollback must disable: enabled entries with
 * `gates.outcome: 'previous_champion'` (added by `registry promote`, issue 12) that run the model
 * the rollback restores (same path or same sha256). Once it is `catboost_v9` again, left enabled
 * such an entry would run it twice. Returns their system_ids in registry order.
 */
export function restoredShadowEntries(registry: Registry, restored: { path: string; sha256: string }): string[] {
  return Object.entries(registry)
    .filter(([, e]) => e.enabled && e.gates?.outcome === 'previous_champion' && (e.model_path === restored.path || e.sha256 === restored.sha256))
    .map(([id]) => id);
}
