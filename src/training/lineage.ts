/**
 * @module training/lineage
 * A model's training lineage, stored in the model file's OWN metadata (the CatBoost InfoMap, key
 * `pw_lineage`, a JSON object; Python: `model.get_metadata()['pw_lineage'] = json`), so the
 * training window travels with the bytes and cannot be mistyped on a command line later
 * (incident 10.7: the overlap guard trusted typed dates). Written by src/training/train_catboost.py
 * (`cli train`), read by `evaluate` through readCbmInfoMap.
 */
import { z } from 'zod';
import { PwError } from '../errors.js';
import { readCbmInfoMap } from '../models/catboost/cbm-reader.js';

/** The InfoMap key. */
export const LINEAGE_KEY = 'pw_lineage';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/** Shape of the lineage JSON (version 1). */
export const lineageSchema = z
  .object({
    lineage_version: z.literal(1),
    /** First and last game_date of the training rows (inclusive), as requested. */
    train_start: isoDate,
    train_end: isoDate,
    /** Training rows and the distinct game dates among them. */
    rows: z.number().int().positive(),
    game_days: z.number().int().positive(),
    /** First and last game_date actually present in the rows (inside the window). */
    first_row_date: isoDate,
    last_row_date: isoDate,
    /** sha256 of the training CSV exactly as the trainer read it ("sha256:<hex>"). */
    fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    /** CatBoost parameters as passed to the trainer. */
    params: z.record(z.string(), z.unknown()),
    catboost_version: z.string().min(1),
    feature_names: z.array(z.string()).min(1),
    /** ISO timestamp of the end of training. */
    created_at: z.string().min(1),
    /** What produced it, e.g. "prediction-worker cli train". */
    trainer: z.string().min(1),
  })
  .strict()
  .refine((l) => l.train_start <= l.first_row_date && l.last_row_date <= l.train_end && l.first_row_date <= l.last_row_date, {
    message: 'row dates lie outside the recorded training window',
  });

export type Lineage = z.output<typeof lineageSchema>;

export type LineageRead = { status: 'recorded'; lineage: Lineage } | { status: 'absent' };

/**
 * Lineage from a .cbm file's metadata: `absent` when the file has no `pw_lineage` key (a model
 * trained elsewhere: its training window is unverified), the parsed lineage otherwise. A key that
 * is present but malformed throws PW_ERR_MODEL_LINEAGE (never guessed). Non-.cbm formats have no
 * InfoMap: `absent`.
 */
export function readLineage(bytes: Uint8Array, name: string): LineageRead {
  if (!name.endsWith('.cbm')) return { status: 'absent' };
  const raw = readCbmInfoMap(bytes, name).get(LINEAGE_KEY);
  if (raw === undefined) return { status: 'absent' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new PwError('PW_ERR_MODEL_LINEAGE', { cause: err }, name, `${LINEAGE_KEY} is not JSON`);
  }
  const parsed = lineageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PwError('PW_ERR_MODEL_LINEAGE', undefined, name, `${LINEAGE_KEY}.${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { status: 'recorded', lineage: parsed.data };
}
