/**
 * @module lifecycle/drift
 * Deployment drift (the original's `model-registry.sh` drift check): what a deployed worker's
 * `GET /models` reports against what the registry and the champion variables say it should run.
 * Pure: the caller fetches /models and parses the registry.
 *
 * Per system_id, in this order: MISSING (expected, not reported), NOT LOADED (reported, state is
 * not `loaded`), PATH (a different path), SHA256 (a different sha256 loaded, or a declared one
 * differs), UNEXPECTED (the service runs a model the registry does not enable), else OK.
 */
import { CHAMPION_SYSTEM_ID, type Registry } from '../../config/registry.js';

/** The part of one GET /models entry the check reads. */
export interface ServedModel {
  system_id: string;
  enabled: boolean;
  state: string;
  path: string;
  sha256: string | null;
  reason?: string | null;
}

export type DriftStatus = 'OK' | 'MISSING' | 'NOT LOADED' | 'PATH' | 'SHA256' | 'UNEXPECTED';

export interface DriftRow {
  system_id: string;
  status: DriftStatus;
  expected_path: string | null;
  expected_sha256: string | null;
  served_path: string | null;
  served_sha256: string | null;
  served_state: string | null;
  detail: string;
}

export interface ExpectedModel {
  system_id: string;
  path: string;
  sha256: string | null;
}

/** The models the registry and champion variables say must run: the champion, then enabled entries. */
export function expectedModels(registry: Registry, champion: { path: string; sha256?: string | null | undefined }): ExpectedModel[] {
  return [
    { system_id: CHAMPION_SYSTEM_ID, path: champion.path, sha256: champion.sha256 ?? null },
    ...Object.entries(registry)
      .filter(([, e]) => e.enabled)
      .map(([id, e]) => ({ system_id: id, path: e.model_path, sha256: e.sha256 ?? null })),
  ];
}

/** One row per expected or served system_id; `OK` only when path, sha256 and loaded state agree. */
export function driftReport(expected: readonly ExpectedModel[], served: readonly ServedModel[]): DriftRow[] {
  const byId = new Map(served.map((s) => [s.system_id, s]));
  const rows: DriftRow[] = expected.map((e) => {
    const s = byId.get(e.system_id);
    const base = { system_id: e.system_id, expected_path: e.path, expected_sha256: e.sha256, served_path: s?.path ?? null, served_sha256: s?.sha256 ?? null, served_state: s?.state ?? null };
    if (!s) return { ...base, status: 'MISSING', detail: 'the service does not report this model' };
    if (s.state !== 'loaded') return { ...base, status: 'NOT LOADED', detail: `state ${s.state}${s.reason ? `: ${s.reason}` : ''}` };
    if (s.path !== e.path) return { ...base, status: 'PATH', detail: `serves ${s.path}, expected ${e.path}` };
    if (e.sha256 && s.sha256 !== e.sha256) return { ...base, status: 'SHA256', detail: `serves sha256 ${s.sha256 ?? '?'}, expected ${e.sha256}` };
    return { ...base, status: 'OK', detail: e.sha256 ? 'path, sha256 and state agree' : 'path and state agree (no sha256 declared)' };
  });
  const expectedIds = new Set(expected.map((e) => e.system_id));
  for (const s of served) {
    if (expectedIds.has(s.system_id) || s.state !== 'loaded') continue;
    rows.push({
      system_id: s.system_id,
      status: 'UNEXPECTED',
      expected_path: null,
      expected_sha256: null,
      served_path: s.path,
      served_sha256: s.sha256,
      served_state: s.state,
      detail: 'the service runs a model the registry does not enable',
    });
  }
  return rows;
}
