/**
 * A recording stand-in for `gcloud`, `bq` and the project CLI, for the deploy tests. `installStubs`
 * writes three small Node programs into a temp dir (put it first on PATH): each appends its argv
 * (and, for the CLI, the BigQuery env) to calls.jsonl and keeps the project's resources in
 * state.json, so a second run sees what the first created. Nothing contacts a network.
 *
 * gcloud: `describe` fails (exit 1) for a resource not yet created; `create` adds it;
 * `*add-iam-policy-binding` adds a (resource, member, role) binding; `services list/enable`,
 * `projects describe`, `secrets versions list/add` (the value is read from stdin),
 * `run services describe --format=flattened[no-pad] (gcloud's flattened printer) | replace FILE | update-traffic` behave like the real
 * ones closely enough for deploy/*.sh. `run services replace` refuses (exit 1, revision not ready)
 * when the rendered champion path contains "unloadable", as Cloud Run does when the startup probe
 * never passes; traffic then stays where it was. Any other command exits 3 (the test sees it).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_NUMBER = '123456789';

const yamlEntry = fileURLToPath(new URL('../../node_modules/yaml/dist/index.js', import.meta.url));

const common = `
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.STUB_STATE_DIR;
const statePath = path.join(dir, 'state.json');
const load = () => (fs.existsSync(statePath) ? JSON.parse(fs.readFileSync(statePath, 'utf8')) : { resources: [], bindings: [], enabled: [], versions: {}, service: null, rendered: [] });
const save = (s) => fs.writeFileSync(statePath, JSON.stringify(s, null, 1));
const record = (tool, argv, extra) => fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify({ tool, argv, ...extra }) + '\\n');
const argv = process.argv.slice(2);
const words = argv.filter((a) => !a.startsWith('--'));
const flag = (name) => { const f = argv.find((a) => a.startsWith('--' + name + '=')); return f === undefined ? undefined : f.slice(name.length + 3); };
const fail = (code, msg) => { process.stderr.write(msg + '\\n'); process.exit(code); };
`;

const gcloud = `#!/usr/bin/env node
${common}
const YAML = require(${JSON.stringify(yamlEntry)});
const state = load();
const stdin = argv.includes('--data-file=-') ? fs.readFileSync(0, 'utf8') : undefined;
record('gcloud', argv);
const has = (key) => state.resources.includes(key);
const verbAt = words.findIndex((w) => w === 'describe' || w === 'create' || w === 'add-iam-policy-binding');
const group = verbAt >= 0 ? words.slice(0, verbAt).join(' ') : '';
const verb = words[verbAt];
const name = words[verbAt + 1] === 'http' ? words[verbAt + 2] : words[verbAt + 1];
// gcloud names a service account by email in describe and by account id in create
const key = group + ' ' + (group === 'iam service-accounts' && verb !== 'add-iam-policy-binding' ? String(name).split('@')[0] : name);

if (words[0] === 'services' && words[1] === 'list') { process.stdout.write(state.enabled.join('\\n') + '\\n'); process.exit(0); }
if (words[0] === 'services' && words[1] === 'enable') { state.enabled.push(...words.slice(2)); save(state); process.exit(0); }
if (words[0] === 'projects' && words[1] === 'describe') { process.stdout.write(${JSON.stringify(PROJECT_NUMBER)} + '\\n'); process.exit(0); }
if (words.join(' ').startsWith('secrets versions') && !has('secrets ' + words[3])) fail(1, 'ERROR: NOT_FOUND: Secret [' + words[3] + '] not found or has no versions.');
if (words.join(' ').startsWith('secrets versions list')) { process.stdout.write((state.versions[words[3]] ? 'projects/p/secrets/' + words[3] + '/versions/1' : '') + '\\n'); process.exit(0); }
if (words.join(' ').startsWith('secrets versions add')) { state.versions[words[3]] = stdin; save(state); process.exit(0); }
if (words[0] === 'run' && words[1] === 'services' && words[2] === 'describe') {
  if (!state.service) fail(1, 'ERROR: service not found');
  if (flag('format') === 'json' || flag('format') === undefined) { process.stdout.write(JSON.stringify(state.service) + '\\n'); process.exit(0); }
  if (flag('format') !== 'flattened[no-pad]') fail(3, 'stub gcloud: unexpected format: ' + flag('format'));
  // gcloud's flattened printer (core/resource/flattened_printer.py): '---', then one 'key: value'
  // line per leaf, keys sorted at every level, lists as [i]; a value with a newline or edge space quoted.
  const lines = [];
  const walk = (o, name) => {
    if (Array.isArray(o)) { if (o.length === 0) lines.push([name, '[]']); o.forEach((v, i) => walk(v, name + '[' + i + ']')); }
    else if (o !== null && typeof o === 'object') { const ks = Object.keys(o).sort(); if (ks.length === 0) lines.push([name, '{}']); for (const k of ks) walk(o[k], name ? name + '.' + k : k); }
    else if (o !== null && o !== undefined) lines.push([name, typeof o === 'boolean' ? (o ? 'True' : 'False') : String(o)]);
  };
  walk(state.service, '');
  const quote = (v) => (/\\n/.test(v) || /^\\s|\\s$/.test(v) ? JSON.stringify(v) : v);
  process.stdout.write('---\\n' + lines.map(([k, v]) => k + ': ' + quote(v) + '\\n').join(''));
  process.exit(0);
}
if (words[0] === 'run' && words[1] === 'services' && words[2] === 'replace') {
  const text = fs.readFileSync(words[3], 'utf8');
  state.rendered.push(text);
  const doc = YAML.parse(text);
  const revision = doc.spec.template.metadata.name;
  const env = doc.spec.template.spec.containers[0].env;
  const champion = env.find((e) => e.name === 'CATBOOST_V9_MODEL_PATH').value;
  if (champion.includes('unloadable')) { save(state); fail(1, 'ERROR: Revision ' + revision + ' is not ready: the user-provided container failed the configured startup probe checks.'); }
  const previous = state.service ? state.service.status.traffic : [];
  const traffic = doc.spec.traffic.map((t) => (t.latestRevision ? { revisionName: revision, percent: t.percent, latestRevision: true } : t));
  state.service = { ...doc, status: { url: 'https://' + doc.metadata.name + '-${PROJECT_NUMBER}.' + doc.metadata.labels['cloud.googleapis.com/location'] + '.run.app', latestReadyRevisionName: revision, traffic: traffic.length ? traffic : previous } };
  save(state);
  process.exit(0);
}
if (words[0] === 'run' && words[1] === 'services' && words[2] === 'update-traffic') {
  const [rev, pct] = flag('to-revisions').split('=');
  state.service.status.traffic = [{ revisionName: rev, percent: Number(pct) }];
  save(state);
  process.exit(0);
}
if (verb === 'describe') { if (group === 'run services' && state.service) process.exit(0); process.exit(has(key) ? 0 : 1); }
if (verb === 'create') { if (has(key)) fail(1, 'ERROR: already exists: ' + key); state.resources.push(key); save(state); process.exit(0); }
if (verb === 'add-iam-policy-binding') {
  if (group === 'run services' && !state.service) fail(1, 'ERROR: service not found');
  if (group === 'secrets' && !has(key)) fail(1, 'ERROR: NOT_FOUND: secret ' + name);
  const b = key + ' ' + flag('member') + ' ' + flag('role');
  if (!state.bindings.includes(b)) state.bindings.push(b);
  save(state);
  process.exit(0);
}
fail(3, 'stub gcloud: unexpected command: ' + argv.join(' '));
`;

const bq = `#!/usr/bin/env node
${common}
const state = load();
record('bq', argv);
if (words[0] !== 'add-iam-policy-binding') fail(3, 'stub bq: unexpected command: ' + argv.join(' '));
const b = 'bq ' + words[1] + ' ' + flag('member') + ' ' + flag('role');
if (!state.bindings.includes(b)) state.bindings.push(b);
save(state);
`;

const cli = `#!/usr/bin/env node
${common}
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(GCP_PROJECT_ID|BIGQUERY_|STORAGE_BACKEND|PUSH_AUTH)/.test(k)));
record('cli', argv, { env });
`;

export interface StubCall {
  tool: 'gcloud' | 'bq' | 'cli';
  argv: string[];
  env?: Record<string, string>;
}

export interface StubState {
  resources: string[];
  bindings: string[];
  enabled: string[];
  versions: Record<string, string>;
  service: null | { status: { traffic: Array<{ revisionName: string; percent: number }> } } & Record<string, unknown>;
  rendered: string[];
}

/** Write the stubs into `dir/bin`; state and calls live in `dir`. */
export function installStubs(dir: string): { bin: string; calls: () => StubCall[]; state: () => StubState; cli: string } {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, text] of [['gcloud', gcloud], ['bq', bq], ['pw-cli', cli]] as const) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
  return {
    bin,
    cli: join(bin, 'pw-cli'),
    calls: () => {
      try {
        return readFileSync(join(dir, 'calls.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as StubCall);
      } catch {
        return [];
      }
    },
    state: () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StubState,
  };
}

/**
 * What the deploy steps' image (cloud-sdk:slim) offers the scripts besides gcloud/bq: bash and
 * coreutils/sed/grep, with no python3 and no jq. Symlinks to exactly these in `dir/tools` (plus
 * node, which runs the stubs themselves); put it on PATH after the stubs instead of the host PATH,
 * so a script that calls anything else (python3, jq, …) fails with "command not found".
 */
export const DEPLOY_IMAGE_TOOLS = ['bash', 'sh', 'cat', 'dirname', 'basename', 'mktemp', 'rm', 'sed', 'grep', 'tr', 'head', 'tail', 'printf', 'env', 'sort', 'wc', 'cut', 'date'] as const;

/** Create `dir/tools` with DEPLOY_IMAGE_TOOLS and node; returns its path. Throws if one is not on the host. */
export function deployImageTools(dir: string): string {
  const tools = join(dir, 'tools');
  mkdirSync(tools, { recursive: true });
  const hostPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  for (const name of DEPLOY_IMAGE_TOOLS) {
    const found = hostPath.map((d) => join(d, name)).find((p) => existsSync(p));
    if (!found) throw new Error(`host has no ${name} on PATH`);
    symlinkSync(found, join(tools, name));
  }
  symlinkSync(process.execPath, join(tools, 'node'));
  return tools;
}
