/**
 * Seeding for the lifecycle tests (evaluate, registry promote): a few synthetic game days in
 * storage (feature slate + box scores from src/synthetic) and champion rows made by the REAL
 * demo champion model through the worker's own line/feature/row builders, as the live worker
 * would have written them.
 *
 * `lineShift` moves every other book line by ± that many points: a soft book, where a good model
 * clears the deployment gates (the synthetic book is as sharp as a real one, so with 0 no demo
 * model passes, which is realistic but leaves nothing to paste).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actualsRows, featureStoreRows, generateSeason, requestPayloads } from '../../src/synthetic/index.js';
import type { Storage } from '../../src/storage/storage.js';
import type { PredictionRow } from '../../src/storage/tables/player-prop-predictions.js';
import { loadPredictor } from '../../src/models/load-predictor.js';
import { ModelStore } from '../../src/models/model-store.js';
import { FEATURE_SETS, V9_FEATURE_NAMES } from '../../src/features/contract.js';
import { predictionRequestSchema } from '../../src/predictions/request.js';
import { chooseLine } from '../../src/predictions/line.js';
import { assembleFeatures } from '../../src/features/assemble.js';
import { requestDigest, toPredictionRows } from '../../src/predictions/rows.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHAMPION_FILE = 'models/catboost_v9_demo_champion.cbm';
export const DEEP_FILE = 'models/catboost_v9_demo_deep.cbm';

export function repoModelStore(): ModelStore {
  return new ModelStore({ cwd: REPO_ROOT, cacheDir: join(REPO_ROOT, '.cache/test-models') });
}

export interface Seeded {
  dates: string[];
  /** Champion rows that carry a real book line (what evaluate scores). */
  championLineRows: number;
}

export async function seedEvaluationDays(storage: Storage, o: { seed?: number; warmupDays?: number; days?: number; lineShift?: number } = {}): Promise<Seeded> {
  const season = generateSeason({ seed: o.seed ?? 7, startDate: '2026-01-20', days: (o.warmupDays ?? 20) + (o.days ?? 3) });
  const days = season.days.slice(-(o.days ?? 3));
  const champion = await loadPredictor({ path: CHAMPION_FILE, featureSet: FEATURE_SETS.v9, engine: 'native', store: repoModelStore() });
  const model = { systemId: 'catboost_v9', role: 'champion' as const, predictor: champion, loadedAt: '2026-01-01T00:00:00.000Z' };
  const shift = o.lineShift ?? 0;
  let championLineRows = 0;
  for (const day of days) {
    const slate = featureStoreRows(day);
    await storage.features.upsert(slate);
    await storage.actuals.upsert(actualsRows(day));
    const byPlayer = new Map(slate.map((r) => [r.player_lookup, r]));
    const prepared = requestPayloads(day).map((payload, i) => {
      // A book line is a plausible points value (>= 0, src/predictions/plausible.ts): a shift below
      // zero moves the line up instead.
      const shifted = payload.actual_prop_line == null ? null : payload.actual_prop_line + (i % 2 === 0 ? shift : -shift);
      const line = shifted === null ? null : shifted < 0 ? shifted + 2 * shift : shifted;
      const request = predictionRequestSchema.parse({ ...payload, actual_prop_line: line, line_values: [line] });
      const featureRow = byPlayer.get(payload.player_lookup)!;
      const chosen = chooseLine(request);
      return { payload, request, featureRow, line: chosen, features: assembleFeatures(featureRow, chosen.value) };
    });
    const width = V9_FEATURE_NAMES.length;
    const batch = new Float64Array(prepared.length * width);
    prepared.forEach((p, i) => batch.set(p.features.vector, i * width));
    const values = await champion.predict(batch, prepared.length);
    const rows: PredictionRow[] = prepared.flatMap((p, i) =>
      toPredictionRows(
        {
          messageId: `seed-${p.payload.correlation_id}`,
          payloadDigest: requestDigest(p.request),
          requestPublishedAt: p.payload.timestamp,
          createdAt: p.payload.timestamp,
          request: p.request,
          line: p.line,
          features: p.features,
          featureVersion: p.featureRow.feature_version,
          featureQualityScore: p.featureRow.feature_quality_score,
          edgeThreshold: 1,
          buildCommit: 'seed',
        },
        [{ systemId: 'catboost_v9', role: 'champion', ok: true, value: values[i]!, model }],
      ),
    );
    championLineRows += rows.filter((r) => r.has_prop_line).length;
    await storage.predictions.write(rows);
  }
  return { dates: days.map((d) => d.date), championLineRows };
}
