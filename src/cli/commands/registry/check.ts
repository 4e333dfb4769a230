/**
 * @module cli/commands/registry/check
 * `registry check [--service-url URL] [--json]`: fetch and verify the champion and every enabled
 * entry; with --service-url also compare a deployed worker's GET /models with the registry (drift).
 */
import { parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { PwError, describeError, isPwError } from '../../../errors.js';
import { CHAMPION_SYSTEM_ID } from '../../../../config/registry.js';
import { FEATURE_SETS } from '../../../features/contract.js';
import { loadPredictor } from '../../../models/load-predictor.js';
import { modelStoreFromConfig } from '../../../models/model-store.js';
import { renderTable } from '../../../jobs/format.js';
import { parseRegistryText } from '../../../lifecycle/registry-file.js';
import { driftReport, expectedModels, type ServedModel } from '../../../lifecycle/drift.js';
import { emitJson } from '../../json.js';
import { type LifecycleDeps } from '../evaluate.js';
import { COMMON, readText, configOf } from './shared.js';

/** GET <url>/models of a deployed worker → its model list (PW_ERR_SERVICE when unreadable). */
async function servedModels(url: string, idToken: string | undefined): Promise<{ models: ServedModel[]; revision: string | null; build_commit: string | null }> {
  const target = `${url.replace(/\/+$/, '')}/models`;
  let body: unknown;
  try {
    const res = await fetch(target, { headers: idToken ? { authorization: `Bearer ${idToken}` } : {}, signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    body = await res.json();
  } catch (err) {
    throw new PwError('PW_ERR_SERVICE', { cause: err }, target, describeError(err));
  }
  const b = body as { models?: unknown; revision?: unknown; build_commit?: unknown };
  if (!Array.isArray(b.models) || !b.models.every((m) => typeof m === 'object' && m !== null && typeof (m as ServedModel).system_id === 'string')) {
    throw new PwError('PW_ERR_SERVICE', undefined, target, 'the answer has no models[] with system_id (is this a prediction-worker?)');
  }
  return { models: b.models as ServedModel[], revision: typeof b.revision === 'string' ? b.revision : null, build_commit: typeof b.build_commit === 'string' ? b.build_commit : null };
}

/** `registry check [--service-url URL] [--json]`: returns exit code 0 when every model verifies and nothing drifts, else 1. */
export async function check(argv: string[], io: CliIo, deps: LifecycleDeps): Promise<number> {
  const { values } = parseFlags(argv, { ...COMMON, 'service-url': { type: 'string' }, 'id-token': { type: 'string' }, json: { type: 'boolean', default: false } });
  const registryFile = String(values['registry-file']);
  const registry = parseRegistryText(await readText(io, registryFile), registryFile);
  const config = configOf(io, deps);
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const targets: Array<{ id: string; path: string; sha256: string | undefined; featureSet: keyof typeof FEATURE_SETS }> = [
    { id: CHAMPION_SYSTEM_ID, path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256, featureSet: 'v9' },
    ...Object.entries(registry)
      .filter(([, e]) => e.enabled)
      .map(([id, e]) => ({ id, path: e.model_path, sha256: e.sha256, featureSet: e.feature_set })),
  ];
  const rows: string[][] = [];
  const results: Array<Record<string, unknown>> = [];
  let failures = 0;
  for (const t of targets) {
    try {
      const p = await loadPredictor({ path: t.path, expectedSha256: t.sha256, featureSet: FEATURE_SETS[t.featureSet], engine: config.MODEL_ENGINE, store });
      await p.close();
      const note = t.sha256 ? 'sha256 matches' : 'WARN: no sha256 declared';
      rows.push([t.id, 'OK', t.path, p.sha256.slice(0, 12), `${p.featureNames.length} (${t.featureSet})`, `${p.treeCount} trees; ${note}`]);
      results.push({ system_id: t.id, result: 'OK', model_path: t.path, sha256: p.sha256, detail: note });
    } catch (err) {
      failures++;
      const detail = `${isPwError(err) ? `${err.code}: ` : ''}${describeError(err)}`;
      rows.push([t.id, 'FAIL', t.path, '-', t.featureSet, detail]);
      results.push({ system_id: t.id, result: 'FAIL', model_path: t.path, sha256: null, detail });
    }
  }
  const where = `${registryFile}${io.envFile ? ` + ${io.envFile}` : ''}`;
  let drift: ReturnType<typeof driftReport> | undefined;
  let service: Awaited<ReturnType<typeof servedModels>> | undefined;
  if (typeof values['service-url'] === 'string') {
    service = await servedModels(values['service-url'], typeof values['id-token'] === 'string' ? values['id-token'] : undefined);
    drift = driftReport(expectedModels(registry, { path: config.CATBOOST_V9_MODEL_PATH, sha256: config.CATBOOST_V9_MODEL_SHA256 }), service.models);
  }
  const drifted = drift?.filter((d) => d.status !== 'OK').length ?? 0;
  if (values.json) {
    emitJson(io, 'registry.check', {
      source: where,
      models: results,
      failures,
      service: service ? { url: values['service-url'], revision: service.revision, build_commit: service.build_commit } : null,
      drift: drift ?? null,
      drifted,
    });
    return failures === 0 && drifted === 0 ? 0 : 1;
  }
  io.out(`registry ${where}\n`);
  io.out(renderTable(['system_id', 'result', 'model_path', 'sha256', 'features', 'detail'], rows));
  io.out(failures === 0 ? `all ${targets.length} models verified\n` : `${failures} of ${targets.length} models FAILED verification\n`);
  if (drift && service) {
    io.out(`\ndeployed worker ${values['service-url']} (revision ${service.revision ?? '?'}, build ${service.build_commit ?? '?'}) vs ${where}\n`);
    io.out(
      renderTable(
        ['system_id', 'drift', 'expected', 'served', 'state', 'detail'],
        drift.map((d) => [
          d.system_id,
          d.status,
          d.expected_path ? `${d.expected_path} (${d.expected_sha256?.slice(0, 12) ?? 'no sha256'})` : '-',
          d.served_path ? `${d.served_path} (${d.served_sha256?.slice(0, 12) ?? '?'})` : '-',
          d.served_state ?? '-',
          d.detail,
        ]),
      ),
    );
    io.out(drifted === 0 ? 'no drift: the service runs what the registry and champion variables say\n' : `DRIFT: ${drifted} model(s) differ from the registry\n`);
  }
  return failures === 0 && drifted === 0 ? 0 : 1;
}
