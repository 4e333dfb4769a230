/**
 * @module lifecycle/cloud-run
 * The one Cloud Run command that moves the champion, printed by `registry promote` and
 * `registry rollback`. Exact and complete: service and region from configuration
 * (CLOUD_RUN_SERVICE, CLOUD_RUN_REGION, GCP_PROJECT_ID), the model's gs:// path AND its full
 * sha256 together, and `--update-env-vars` (which keeps every other variable; `--set-env-vars`
 * would wipe them). A local path is refused: the image does not contain `models/…` files beyond
 * the demo ones, and the worker would refuse to start its champion.
 */
import { PwError } from '../errors.js';
import { parseGcsObject } from '../models/gcs-path.js';

export interface CloudRunTarget {
  service: string;
  region: string;
  project?: string | undefined;
}

/** Single-quote a shell word when it needs it. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `gcloud run services update <service> --region=<region> [--project=<p>]
 *  --update-env-vars=CATBOOST_V9_MODEL_PATH=<gs://…>,CATBOOST_V9_MODEL_SHA256=<sha256>`.
 * Throws PW_ERR_GCS_PATH for a local or malformed path and PW_ERR_CONFIG for a missing sha256.
 */
export function championUpdateCommand(target: CloudRunTarget, modelPath: string, sha256: string | null | undefined): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(modelPath)) {
    throw new PwError(
      'PW_ERR_GCS_PATH',
      undefined,
      `champion path '${modelPath}'`,
      'a local path is not in the Cloud Run image and the worker could not load it: upload the file with `cli model upload <file> --bucket gs://…/` and register the gs:// path it prints',
    );
  }
  parseGcsObject(modelPath, 'champion path');
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new PwError('PW_ERR_CONFIG', undefined, `the champion sha256 for ${modelPath} is missing or not 64 hex characters: the command must carry it`);
  }
  if (modelPath.includes(',')) {
    throw new PwError('PW_ERR_GCS_PATH', undefined, `champion path '${modelPath}'`, "a ',' would split --update-env-vars; rename the object");
  }
  return [
    'gcloud run services update',
    shellWord(target.service),
    `--region=${shellWord(target.region)}`,
    ...(target.project ? [`--project=${shellWord(target.project)}`] : []),
    shellWord(`--update-env-vars=CATBOOST_V9_MODEL_PATH=${modelPath},CATBOOST_V9_MODEL_SHA256=${sha256}`),
  ].join(' ');
}

// --- the same change through the Cloud Run Admin API (registry promote/rollback --apply) -------

/** The parts of a Cloud Run Admin API v2 Service this module reads and writes. */
export interface CloudRunService {
  name: string;
  etag?: string;
  reconciling?: boolean;
  latestReadyRevision?: string;
  latestCreatedRevision?: string;
  terminalCondition?: { type?: string; state?: string; message?: string };
  template?: { containers?: Array<{ name?: string; image?: string; env?: Array<{ name: string; value?: string; valueSource?: unknown }> } & Record<string, unknown>> } & Record<string, unknown>;
  [key: string]: unknown;
}

/** `projects/<p>/locations/<region>/services/<service>`; PW_ERR_CONFIG without a project. */
export function cloudRunServiceName(target: CloudRunTarget): string {
  if (!target.project) throw new PwError('PW_ERR_CONFIG', undefined, '--apply needs GCP_PROJECT_ID (the project of the Cloud Run service)');
  return `projects/${target.project}/locations/${target.region}/services/${target.service}`;
}

/**
 * The service with its first container's CATBOOST_V9_MODEL_PATH and _SHA256 set to `model`, every
 * other variable kept (what `--update-env-vars` does). Same refusals as championUpdateCommand.
 * Pure: returns a copy.
 */
export function withChampionEnv(service: CloudRunService, model: { path: string; sha256: string | null | undefined }): CloudRunService {
  championUpdateCommand({ service: 'x', region: 'x' }, model.path, model.sha256); // the same checks
  const containers = service.template?.containers ?? [];
  if (containers.length === 0) throw new PwError('PW_ERR_CONFIG', undefined, `Cloud Run service ${service.name} has no container to configure`);
  const [first, ...rest] = containers;
  const set = new Map([
    ['CATBOOST_V9_MODEL_PATH', model.path],
    ['CATBOOST_V9_MODEL_SHA256', model.sha256!],
  ]);
  const env = (first!.env ?? []).filter((e) => !set.has(e.name));
  for (const [name, value] of set) env.push({ name, value });
  return { ...service, template: { ...service.template, containers: [{ ...first!, env }, ...rest] } };
}

export type Rollout = { state: 'ready'; revision: string } | { state: 'pending' } | { state: 'failed'; message: string };

/**
 * Where a service update stands: `ready` once it is no longer reconciling, its Ready condition
 * succeeded and the newest revision is the one serving; `failed` when the condition failed or
 * the newest revision is not the ready one after reconciling ended. Pure.
 */
export function rolloutState(service: CloudRunService): Rollout {
  const state = service.terminalCondition?.state;
  if (service.reconciling) return { state: 'pending' };
  if (state === 'CONDITION_FAILED') return { state: 'failed', message: service.terminalCondition?.message ?? 'the Ready condition failed' };
  if (state === 'CONDITION_SUCCEEDED' && service.latestCreatedRevision && service.latestReadyRevision === service.latestCreatedRevision) {
    return { state: 'ready', revision: service.latestReadyRevision };
  }
  if (state === 'CONDITION_SUCCEEDED') {
    return { state: 'failed', message: `the new revision ${service.latestCreatedRevision ?? '?'} is not ready; ${service.latestReadyRevision ?? 'an older revision'} still serves` };
  }
  return { state: 'pending' };
}
