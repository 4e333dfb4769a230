import { describe, expect, it } from 'vitest';
import { isPwError } from '../errors.js';
import { bucketNameProblem, parseGcsObject, parseGcsPrefix } from './gcs-path.js';

const code = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return isPwError(e) ? e.code : String(e);
  }
};

describe('gs:// validation (one rule for every gs:// argument)', () => {
  it('an object path needs a valid bucket and an object; other schemes are refused by name', () => {
    expect(parseGcsObject('gs://nba-props-platform-models/catboost/v9/m.cbm')).toEqual({ bucket: 'nba-props-platform-models', object: 'catboost/v9/m.cbm' });
    expect(() => parseGcsObject('s3://bucket/m.cbm')).toThrow(/only gs:\/\/ \(Cloud Storage\) paths are supported, not s3:\/\//);
    expect(() => parseGcsObject('gs://bucket')).toThrow(/names a bucket, not an object/);
    expect(() => parseGcsObject('gs://bucket/')).toThrow(/names a bucket, not an object/);
    expect(() => parseGcsObject('gs://bucket/folder/')).toThrow(/names a folder, not an object/);
    expect(() => parseGcsObject('models/x.cbm')).toThrow(/expected a gs:\/\/bucket\/… path/);
    expect(code(() => parseGcsObject('gs://bucket/a\nb'))).toBe('PW_ERR_GCS_PATH');
    expect(code(() => parseGcsObject(`gs://bucket/${'x'.repeat(1025)}`))).toBe('PW_ERR_GCS_PATH');
  });

  it('bucket names follow Cloud Storage naming', () => {
    for (const ok of ['abc', 'my-models_1', 'models.example.com']) expect(bucketNameProblem(ok), ok).toBeUndefined();
    for (const bad of ['ab', 'My-Bucket', '-abc', 'abc-', 'a..b', '192.168.1.1', 'goog-models', 'my-google-bucket', 'a'.repeat(64), 'has space']) {
      expect(bucketNameProblem(bad), bad).toBeDefined();
    }
  });

  it('a prefix must end with / (the object name is derived, never guessed)', () => {
    expect(parseGcsPrefix('gs://bucket/')).toEqual({ bucket: 'bucket', object: '' });
    expect(parseGcsPrefix('gs://bucket/catboost/v9/')).toEqual({ bucket: 'bucket', object: 'catboost/v9/' });
    expect(() => parseGcsPrefix('gs://bucket')).toThrow(/must be a folder ending in '\/' \(e\.g\. gs:\/\/bucket\/\)/);
    expect(() => parseGcsPrefix('gs://bucket/m.cbm')).toThrow(/must be a folder/);
    expect(() => parseGcsPrefix('gs://bucket/a//')).toThrow(/empty folder name/);
    expect(() => parseGcsPrefix('s3://bucket/')).toThrow(/not s3:\/\//);
  });
});
