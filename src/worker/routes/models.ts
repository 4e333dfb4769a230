/**
 * @module worker/routes/models
 * GET /models: every configured model (disabled and failed ones included) with role, state,
 * reason, path, full sha256, feature set and loaded_at, plus the worker's build commit and
 * revision (incidents 10.3, 10.10, 10.11: which model and which code is actually serving).
 */
import type { FastifyPluginAsync } from 'fastify';

const modelsRoute: FastifyPluginAsync = async (app) => {
  app.get('/models', async () => ({
    build_commit: app.config.BUILD_COMMIT,
    revision: app.config.K_REVISION ?? null,
    primary_alert_model: app.config.PRIMARY_ALERT_MODEL,
    models: app.modelSet.status().map((s) => ({
      system_id: s.systemId,
      role: s.role,
      enabled: s.enabled,
      state: s.state,
      reason: s.error ?? null,
      error_code: s.errorCode ?? null,
      path: s.path,
      sha256: s.sha256 ?? null,
      declared_sha256: s.declaredSha256 ?? null,
      feature_set: s.featureSet,
      feature_count: s.featureCount ?? null,
      format: s.format ?? null,
      engine: s.engine ?? null,
      tree_count: s.treeCount ?? null,
      loss: s.loss ?? null,
      prediction_type: s.predictionType ?? null,
      loaded_at: s.loadedAt ?? null,
      load_ms: s.loadMs ?? null,
      train_start: s.trainStart ?? null,
      train_end: s.trainEnd ?? null,
      description: s.description ?? null,
    })),
  }));
};

export default modelsRoute;
