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
