import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPwError } from '../errors.js';
import { LINEAGE_KEY, lineageSchema, readLineage } from './lineage.js';
import { readCbmInfoMap } from '../models/catboost/cbm-reader.js';

const ROOT = new URL('../../', import.meta.url);
const CHALLENGER = readFileSync(new URL('models/catboost_v9_demo_challenger.cbm', ROOT));
const CHAMPION = readFileSync(new URL('models/catboost_v9_demo_champion.cbm', ROOT));

/** The file with one same-length substring of its lineage JSON replaced (the FlatBuffer stays valid). */
function patched(from: string, to: string): Uint8Array {
  expect(to.length).toBe(from.length);
  const text = Buffer.from(CHALLENGER).toString('latin1');
  expect(text.includes(from)).toBe(true);
  return Buffer.from(text.replace(from, to), 'latin1');
}

describe('lineage in the model file (InfoMap pw_lineage)', () => {
  it('reads the recorded lineage of a model trained by cli train, next to CatBoost\'s own metadata', () => {
    const info = readCbmInfoMap(CHALLENGER, 'challenger.cbm');
    expect(info.has('params')).toBe(true);
    expect(info.has(LINEAGE_KEY)).toBe(true);
    const l = readLineage(CHALLENGER, 'challenger.cbm');
    expect(l.status).toBe('recorded');
    if (l.status === 'recorded') {
      expect(l.lineage.rows).toBe(9167);
      expect(l.lineage.feature_names).toHaveLength(33);
    }
  });

  it('a model without lineage (trained elsewhere) is absent, never guessed; non-.cbm files have none', () => {
    expect(readLineage(CHAMPION, 'champion.cbm')).toEqual({ status: 'absent' });
    expect(readLineage(CHAMPION, 'champion.onnx')).toEqual({ status: 'absent' });
  });

  it('a malformed lineage is refused with PW_ERR_MODEL_LINEAGE', () => {
    const badVersion = patched('"lineage_version": 1', '"lineage_version": 2');
    expect(() => readLineage(badVersion, 'x.cbm')).toThrow(/lineage_version/);
    const notJson = patched('"lineage_version": 1', '"lineage_version"; 1');
    const e = (() => {
      try {
        readLineage(notJson, 'x.cbm');
      } catch (err) {
        return err;
      }
    })();
    expect(isPwError(e, 'PW_ERR_MODEL_LINEAGE')).toBe(true);
  });

  it('row dates must lie inside the recorded window', () => {
    const l = readLineage(CHALLENGER, 'c.cbm');
    if (l.status !== 'recorded') throw new Error('no lineage');
    expect(lineageSchema.safeParse({ ...l.lineage, last_row_date: '2026-11-29' }).success).toBe(false);
    expect(lineageSchema.safeParse({ ...l.lineage, first_row_date: '2026-10-10' }).success).toBe(false);
    expect(lineageSchema.safeParse(l.lineage).success).toBe(true);
  });
});
