/**
 * bench:bigquery — the BigQuery sink's insert calls per message against goccy/bigquery-emulator:
 * N messages (each = the worker's write: 6 prediction rows, then its outcome), C in flight, once
 * with insert batching (insert-batcher.ts defaults) and once with one call per write (maxRows 1,
 * the old behaviour). Reports insert calls and JSON bytes per message, rows per call, messages/s
 * (the emulator is far slower than BigQuery: compare calls and bytes, not speed), and checks every
 * acknowledged message's rows and outcome are there.
 * Uses BIGQUERY_EMULATOR_ENDPOINT (+ BIGQUERY_EMULATOR_PROJECT) when set, else starts the
 * emulator binary from $PW_GOBIN or ~/go/bin on a free port (and stops it after).
 * Usage: npm run bench:bigquery [-- --messages 200 --concurrency 20 --no-save]
 * Writes its section of bench/RESULTS.md unless --no-save.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, homedir, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createBigQueryStorage, bigQueryClient } from '../src/storage/bigquery/index.js';
import { samplePredictionRow, sampleOutcomeRow } from '../src/storage/sample-rows.js';
import { playerPropPredictionsTable, requestOutcomesTable, type AnyTable } from '../src/storage/tables/index.js';
import type { InsertBatcherOptions } from '../src/storage/bigquery/insert-batcher.js';
import { DEFAULT_DATASETS, datasetOf } from '../src/storage/bigquery/datasets.js';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.GCE_METADATA_HOST = '127.0.0.1:1';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const MESSAGES = opt('--messages', 200);
const CONCURRENCY = opt('--concurrency', 20);
const MODELS = 6;

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function emulator(): Promise<{ endpoint: string; projectId: string; child?: ChildProcess }> {
  if (process.env.BIGQUERY_EMULATOR_ENDPOINT) return { endpoint: process.env.BIGQUERY_EMULATOR_ENDPOINT, projectId: process.env.BIGQUERY_EMULATOR_PROJECT ?? 'pw-test' };
  const bin = join(process.env.PW_GOBIN ?? join(homedir(), 'go/bin'), 'bigquery-emulator');
  if (!existsSync(bin)) {
    console.error(`skipped: no BIGQUERY_EMULATOR_ENDPOINT and no ${bin} (see .ci/services.sh)`);
    process.exit(0);
  }
  const [port, grpc] = [await freePort(), await freePort()];
  const projectId = 'pw-bench';
  const child = spawn(bin, [`--project=${projectId}`, '--host=127.0.0.1', `--port=${port}`, `--grpc-port=${grpc}`, '--log-level=error'], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      await fetch(`${endpoint}/bigquery/v2/projects/${projectId}/datasets`);
      return { endpoint, projectId, child };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error('bigquery-emulator did not answer within 60 s');
}

interface Result { label: string; calls: number; rows: number; bytes: number; seconds: number; acked: number; storedRows: number; storedOutcomes: number }

async function run(label: string, endpoint: string, projectId: string, batching: InsertBatcherOptions, gameDate: string): Promise<Result> {
  const options = { projectId, apiEndpoint: endpoint, location: 'US', maxRetries: 0, partitioning: false, batching };
  const client = bigQueryClient(options);
  const runId = `${gameDate.replaceAll('-', '')}${Date.now()}`;
  const storage = createBigQueryStorage(options);
  let next = 0;
  let acked = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let m = next++; m < MESSAGES; m = next++) {
      const messageId = `${runId}-${m}`;
      const rows = Array.from({ length: MODELS }, (_, i) =>
        samplePredictionRow({ prediction_id: `${runId}x${m}x${i}`.padStart(32, '0'), system_id: `system_${i}`, player_lookup: `player${m}`, message_id: messageId, game_date: gameDate }),
      );
      await storage.predictions.write(rows, sampleOutcomeRow({ message_id: messageId, player_lookup: `player${m}`, rows_written: MODELS, game_date: gameDate }));
      acked++;
      if (acked % 50 === 0) process.stderr.write(`${label}: ${acked} messages\n`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const stats = { ...storage.insertStats };
  await storage.close();
  // Counted with one cheap query each (the emulator is slow at the storage's dedup reads).
  const count = async (table: AnyTable, key: string) => {
    const [rows] = await client.query({
      query: `SELECT COUNT(DISTINCT ${key}) AS n FROM \`${projectId}.${datasetOf(table, DEFAULT_DATASETS)}.${table.name}\` WHERE STARTS_WITH(message_id, @prefix)`,
      params: { prefix: `${runId}-` },
    });
    return Number((rows as Array<{ n: number }>)[0]!.n);
  };
  const storedRows = await count(playerPropPredictionsTable, 'prediction_id');
  const storedOutcomes = await count(requestOutcomesTable, 'message_id');
  return { label, ...stats, seconds, acked, storedRows, storedOutcomes };
}

const { endpoint, projectId, child } = await emulator();
process.stderr.write(`emulator at ${endpoint}\n`);
try {
  await createBigQueryStorage({ projectId, apiEndpoint: endpoint, location: 'US', maxRetries: 0, partitioning: false }).ensureTables();
  const results = [
    await run('one call per write (maxRows 1)', endpoint, projectId, { maxRows: 1 }, '2025-11-08'),
    await run('shared calls (defaults: ≤ 10 ms, ≤ 500 rows)', endpoint, projectId, {}, '2025-11-09'),
  ];
  const cpu = cpus();
  const section = (
    [
      '## bench:bigquery',
      '',
      `\`npm run bench:bigquery\` — ${new Date().toISOString().slice(0, 16)}Z, ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load ${loadavg()[0]!.toFixed(1)}.`,
      `goccy/bigquery-emulator; ${MESSAGES} messages, ${CONCURRENCY} in flight; each message = ${MODELS} prediction rows, then its outcome (the worker's write).`,
      '',
      '| batching | insert calls | calls per message | rows per call | JSON bytes per message | messages/s (emulator) | acked | rows stored | outcomes stored |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...results.map(
        (r) =>
          `| ${r.label} | ${r.calls} | ${(r.calls / MESSAGES).toFixed(3)} | ${(r.rows / r.calls).toFixed(1)} | ${(r.bytes / MESSAGES).toFixed(0)} | ${(MESSAGES / r.seconds).toFixed(0)} | ${r.acked} | ${r.storedRows} | ${r.storedOutcomes} |`,
      ),
      '',
    ].join('\n')
  );
  console.log(section);
  if (!args.includes('--no-save')) {
    const file = join(import.meta.dirname, 'RESULTS.md');
    const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n';
    const pattern = /## bench:bigquery\n[\s\S]*?(?=\n## |\n<!-- |$)/;
    writeFileSync(file, pattern.test(current) ? current.replace(pattern, section.trimEnd() + '\n') : `${current.trimEnd()}\n\n${section}`);
  }
} finally {
  child?.kill();
}
