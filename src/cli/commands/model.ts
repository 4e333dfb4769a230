/**
 * @module cli/commands/model
 * `npm run --silent cli -- model <upload|ls> …`: model artifacts in Cloud Storage, no gsutil.
 *
 *   model upload <file> --bucket gs://bucket/prefix/ [--feature-set v9] [--json]
 *       checks the file loads as a model of the feature set, uploads it under its immutable,
 *       content-addressed name (sha256 in the name; never overwrites), verifies the stored object
 *       and fetches it back through the worker's ModelStore, then prints the registry fields
 *   model ls --bucket gs://bucket/prefix/ [--json]
 *       every object under the prefix: size, sha256, upload time and registry state
 *
 * Logic: src/models/artifacts.ts. Cloud Storage client: createStorageClient (STORAGE_EMULATOR_HOST
 * points it at an emulator).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseFlags, requireFlag } from '../args.js';
import type { CliIo } from '../io.js';
import type { CommandHelp } from '../help.js';
import { PwError, describeError } from '../../errors.js';
import type { Config } from '../../../config/env.js';
import { FEATURE_SETS, type FeatureSetName } from '../../features/contract.js';
import { cliConfig } from '../../jobs/cli-support.js';
import { renderTable } from '../../jobs/format.js';
import { loadPredictor } from '../../models/load-predictor.js';
import { createStorageClient, modelStoreFromConfig, type ModelStore } from '../../models/model-store.js';
import { gcsArtifactStore, listModels, uploadModel, type ArtifactStore } from '../../models/artifacts.js';
import { parseGcsPrefix } from '../../models/gcs-path.js';
import { DEFAULT_REGISTRY_FILE, loadRegistryFile } from '../registry-source.js';
import { emitJson } from '../json.js';

export interface ModelDeps {
  config?: Config;
  artifacts?: ArtifactStore;
  store?: ModelStore;
}

const BUCKET_FLAG = { flag: '--bucket <gs://bucket/prefix/>', text: "where models live: a gs:// folder ending in '/' (required)" };

const SUB_HELP = {
  upload: {
    usage: 'model upload <file> --bucket gs://bucket/prefix/ [--feature-set v9] [--json]',
    summary:
      "Upload a model under an immutable, content-addressed name (<stem>-<sha256><ext>; an existing object is never overwritten), verify it, and print the registry fields model_path and sha256. The file must load as a model of the feature set first.",
    flags: [
      BUCKET_FLAG,
      { flag: '--feature-set <name>', default: 'v9', text: 'the feature contract the model must match' },
      { flag: '--json', text: 'one JSON document (docs/cli-json.md, kind "model.upload")' },
    ],
    example: 'model upload models/catboost_v9_train1102_0215.cbm --bucket gs://nba-props-platform-models/catboost/v9/monthly/',
  },
  ls: {
    usage: 'model ls --bucket gs://bucket/prefix/ [--json]',
    summary: 'Every model under the prefix with size, sha256, upload time and registry state (champion, enabled, retired, unregistered).',
    flags: [
      BUCKET_FLAG,
      { flag: '--registry-file <path>', default: DEFAULT_REGISTRY_FILE, text: 'the registry the states come from' },
      { flag: '--json', text: 'one JSON document (kind "model.ls")' },
    ],
    example: 'model ls --bucket gs://nba-props-platform-models/catboost/v9/monthly/',
  },
} satisfies Record<string, CommandHelp>;

export const help: CommandHelp = {
  usage: 'model <upload|ls> …',
  summary: 'Model files in Cloud Storage: upload (immutable, verified) and list with registry state.',
  example: ['model upload models/m.cbm --bucket gs://my-models/v9/', 'model ls --bucket gs://my-models/v9/'],
  sub: SUB_HELP,
};

async function artifactsOf(config: Config, deps: ModelDeps): Promise<ArtifactStore> {
  return deps.artifacts ?? gcsArtifactStore(await createStorageClient(config));
}

async function upload(argv: string[], io: CliIo, deps: ModelDeps): Promise<number> {
  const { values, positionals } = parseFlags(argv, { bucket: { type: 'string' }, 'feature-set': { type: 'string', default: 'v9' }, json: { type: 'boolean', default: false } }, true);
  if (positionals.length !== 1) throw new PwError('PW_ERR_CLI_USAGE', undefined, `upload takes exactly one file\nusage: cli ${SUB_HELP.upload.usage}`);
  const file = positionals[0]!;
  const prefix = requireFlag(values.bucket, 'bucket');
  parseGcsPrefix(prefix, '--bucket'); // refuse a bad destination before reading anything
  const featureSet = String(values['feature-set']);
  if (!(featureSet in FEATURE_SETS)) throw new PwError('PW_ERR_CLI_USAGE', undefined, `--feature-set '${featureSet}' is not one of ${Object.keys(FEATURE_SETS).join(', ')}`);
  const config = deps.config ?? cliConfig(io);
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(io.cwd, file));
  } catch (err) {
    throw new PwError('PW_ERR_MODEL_NOT_FOUND', { cause: err }, `${file}: ${describeError(err)}`);
  }
  // A file the worker would refuse is not uploaded at all.
  const store = deps.store ?? modelStoreFromConfig(config, io.cwd);
  const local = await loadPredictor({ path: file, featureSet: FEATURE_SETS[featureSet as FeatureSetName], engine: config.MODEL_ENGINE, store });
  const summary = `${local.treeCount} trees, ${local.featureNames.length} features (${featureSet})`;
  await local.close();

  const result = await uploadModel(await artifactsOf(config, deps), { file, bytes, prefix });
  // End to end: the worker's own fetch path, with the declared hash, must accept the object.
  const fetched = await store.fetch(result.model_path, { expectedSha256: result.sha256 });
  if (values.json) {
    emitJson(io, 'model.upload', { ...result, file, verified_sha256: fetched.sha256 });
    return 0;
  }
  io.out(
    [
      `${result.created ? 'uploaded' : 'already uploaded (identical bytes; nothing written)'} ${file} -> ${result.model_path}`,
      `  ${result.size_bytes} bytes, generation ${result.generation}, ${summary}; fetched back through the model store: sha256 matches`,
      'registry fields:',
      `    model_path: '${result.model_path}',`,
      `    sha256: '${result.sha256}',`,
      '',
    ].join('\n'),
  );
  return 0;
}

async function ls(argv: string[], io: CliIo, deps: ModelDeps): Promise<number> {
  const { values } = parseFlags(argv, { bucket: { type: 'string' }, 'registry-file': { type: 'string', default: DEFAULT_REGISTRY_FILE }, json: { type: 'boolean', default: false } });
  const prefix = requireFlag(values.bucket, 'bucket');
  parseGcsPrefix(prefix, '--bucket');
  const config = deps.config ?? cliConfig(io);
  const { registry } = await loadRegistryFile(io, String(values['registry-file']));
  const models = await listModels(await artifactsOf(config, deps), prefix, registry, config.CATBOOST_V9_MODEL_PATH);
  if (values.json) {
    emitJson(io, 'model.ls', { bucket: prefix, models });
    return 0;
  }
  io.out(`${models.length} object(s) under ${prefix}\n`);
  if (models.length > 0) {
    io.out(
      renderTable(
        ['model_path', 'size', 'sha256', 'uploaded (UTC)', 'registry', 'system_id'],
        models.map((m) => [m.model_path, String(m.size_bytes), m.sha256?.slice(0, 12) ?? '-', m.uploaded_at.replace(/\.\d+Z$/, 'Z'), m.state, m.system_ids.join(', ') || '-']),
      ),
    );
  }
  return 0;
}

export async function run(argv: string[], io: CliIo, deps: ModelDeps = {}): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'upload') return upload(rest, io, deps);
  if (sub === 'ls') return ls(rest, io, deps);
  throw new PwError('PW_ERR_CLI_USAGE', undefined, `${sub ? `unknown model sub-command '${sub}'\n` : ''}usage: cli ${SUB_HELP.upload.usage}\n       cli ${SUB_HELP.ls.usage}`);
}
