/**
 * @module config/registry
 * The shape of a MONTHLY_MODELS entry (the seed's shape, so the snippet printed by the evaluation
 * tool pastes in unchanged) and its validation. Key = system_id. `enabled` alone decides whether
 * a model runs (incident 10.12: status filters silently dropped models).
 */
import { z } from 'zod';
import { PwError } from '../src/errors.js';
import { FEATURE_SETS } from '../src/features/contract.js';
import { parseGcsObject } from '../src/models/gcs-path.js';
import { trainedBefore } from '../src/lifecycle/windows.js';

export const CHAMPION_SYSTEM_ID = 'catboost_v9';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** system_id: lower-case, digits and underscores, e.g. catboost_v9_train1102_0215. */
export const systemIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{2,63}$/, 'system_id must be 3-64 chars of a-z, 0-9 and _ , starting with a letter');

/** A model path: local, or a gs://bucket/object that Cloud Storage would accept (src/models/gcs-path.ts). */
const modelPathSchema = z
  .string()
  .min(1)
  .superRefine((path, ctx) => {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return;
    try {
      parseGcsObject(path, 'model_path');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  });
/**
 * The deployment-gate outcome `evaluate` recorded for the entry (issue 12: gates as data, so
 * `registry promote` can refuse an entry whose gates failed). `training_window` says whether the
 * window was read from the model file's own lineage (`verified`) or only declared on the command
 * line (`unverified`). `previous_champion` marks the shadow entry a promotion creates for the
 * champion it replaced (its gates were passed when it was promoted).
 */
export const gateRecordSchema = z
  .object({
    outcome: z.enum(['passed', 'failed', 'previous_champion']),
    evaluated_on: isoDate,
    failed: z.array(z.string()).default([]),
    training_window: z.enum(['verified', 'unverified']),
  })
  .strict()
  .refine((g) => (g.outcome === 'failed') === g.failed.length > 0, { message: "a 'failed' outcome lists the failed gates, and only then", path: ['failed'] });

export type GateRecord = z.output<typeof gateRecordSchema>;

export const registryEntrySchema = z
  .object({
    model_path: modelPathSchema,
    /** Training window; may be absent only on a previous champion's shadow entry (unknown window). */
    train_start: isoDate.optional(),
    train_end: isoDate.optional(),
    backtest_mae: z.number().nonnegative(),
    backtest_hit_rate_all: z.number().min(0).max(100),
    backtest_hit_rate_edge_3plus: z.number().min(0).max(100),
    backtest_n_edge_3plus: z.number().int().nonnegative(),
    enabled: z.boolean(),
    description: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex characters').optional(),
    feature_set: z.enum(Object.keys(FEATURE_SETS) as [keyof typeof FEATURE_SETS]).default('v9'),
    eval_start: isoDate.optional(),
    eval_end: isoDate.optional(),
    gates: gateRecordSchema.optional(),
    /**
     * A replaced champion's shadow entry (written by registry promote): compared from
     * `shadow_from` (the promotion day) and meant to run until `shadow_until`; `registry list`
     * and `registry check` flag it once that date has passed (retire it then).
     */
    shadow_from: isoDate.optional(),
    shadow_until: isoDate.optional(),
  })
  .strict()
  .refine((e) => (e.train_start !== undefined && e.train_end !== undefined) || e.gates?.outcome === 'previous_champion', {
    message: 'train_start and train_end are required (only a previous champion shadow entry may omit them)',
    path: ['train_end'],
  })
  .refine((e) => !e.train_start || !e.train_end || e.train_start <= e.train_end, { message: 'train_start is after train_end', path: ['train_end'] })
  .refine((e) => !e.eval_start || !e.train_end || trainedBefore(e.train_end, e.eval_start), {
    message: 'training window overlaps the evaluation window (train_end must be before eval_start)',
    path: ['eval_start'],
  });

export type RegistryEntryInput = z.input<typeof registryEntrySchema>;
export type RegistryEntry = z.output<typeof registryEntrySchema>;
export type Registry = Record<string, RegistryEntry>;

/**
 * Validate the registry; errors name the entry and the field. The champion's system_id is
 * reserved: a challenger may not reuse it.
 */
export function parseRegistry(raw: Record<string, unknown>): Registry {
  const out: Registry = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const id = systemIdSchema.safeParse(key);
    if (!id.success) problems.push(`${key}: ${id.error.issues[0]?.message}`);
    if (key === CHAMPION_SYSTEM_ID) problems.push(`${key}: reserved for the champion (CATBOOST_V9_MODEL_PATH)`);
    const entry = registryEntrySchema.safeParse(value);
    if (!entry.success) {
      for (const issue of entry.error.issues) problems.push(`${key}.${issue.path.join('.') || '(entry)'}: ${issue.message}`);
      continue;
    }
    out[key] = entry.data;
  }
  if (problems.length > 0) throw new PwError('PW_ERR_REGISTRY', undefined, problems[0]!.split(':')[0]!, problems.join('; '));
  return out;
}

export function enabledEntries(registry: Registry): Array<[string, RegistryEntry]> {
  return Object.entries(registry).filter(([, e]) => e.enabled);
}
