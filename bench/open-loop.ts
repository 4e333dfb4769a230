/**
 * Open-loop load for bench:worker: requests sent at a fixed rate whatever the responses, through
 * Vegeta (github.com/tsenart/vegeta, MIT; a Go binary built once with `go install`).
 *
 * Why a second load generator: autocannon (the closed-loop windows) keeps N connections busy, so
 * its latency at saturation is the queue those N requests make (Little's law: 20 in flight at
 * 2,000 req/s is 10 ms on average whatever the server does), and when the server stalls it stops
 * sending, so the stall is under-counted ("coordinated omission", Gil Tene). Its rate option does
 * not fix this (a per-second quota per connection, sent in bursts). Vegeta sends each request at
 * its scheduled time, up to MAX_CONNECTIONS at once (Cloud Run's front end in front of one
 * instance): the latency of requests at a given rate, stalls included (vegeta's README, "-rate",
 * "-max-connections"). PW_VEGETA_KEEP=1 keeps each window's results file and prints its path.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

/** The pinned Vegeta release (`go install github.com/tsenart/vegeta/v12@…`). */
export const VEGETA_MODULE = 'github.com/tsenart/vegeta/v12@v12.13.0';

/**
 * The vegeta binary: $PW_VEGETA, else $(go env GOPATH)/bin/vegeta, built there with `go install`
 * (~10 s) when Go is on PATH. Returns undefined (and says why on stderr) when neither is possible.
 */
export function findVegeta(): string | undefined {
  if (process.env.PW_VEGETA) return process.env.PW_VEGETA;
  let gopath: string;
  try {
    gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim() || join(homedir(), 'go');
  } catch {
    process.stderr.write('open-loop window skipped: no vegeta ($PW_VEGETA) and no Go toolchain to build it\n');
    return undefined;
  }
  const bin = join(process.env.GOBIN ?? join(gopath, 'bin'), 'vegeta');
  if (!existsSync(bin)) {
    process.stderr.write(`building vegeta (go install ${VEGETA_MODULE}) …\n`);
    execFileSync('go', ['install', VEGETA_MODULE], { stdio: 'inherit' });
  }
  return bin;
}

/**
 * Most connections (so requests in flight) vegeta opens: the instance's Cloud Run concurrency (80,
 * docs/deploy.md), since Cloud Run's front end forwards at most that many requests at once and
 * queues the rest. A request waiting for a connection counts in its latency (vegeta starts the
 * clock when it takes the request). Without the cap, vegeta opened a new connection for every
 * request sent while the others were slow, and the first second after /ready measured the cost
 * of hundreds of new connections (max 430–630 ms, against 133–179 with the cap).
 */
export const MAX_CONNECTIONS = 80;

/** One open-loop window, as `vegeta report -type=json` gives it (latencies converted to ms). */
export interface OpenLoopResult {
  /** Requests sent. */
  requests: number;
  /** Rate at which they were sent, requests/s. */
  sentRate: number;
  /** Successful (2xx) responses per second over the window. */
  throughput: number;
  p50: number;
  p99: number;
  max: number;
  /** Responses by HTTP status ("0" = no response: connection error or timeout). */
  statusCodes: Record<string, number>;
}

interface VegetaReport {
  requests: number;
  rate: number;
  throughput: number;
  latencies: { '50th': number; '99th': number; max: number };
  status_codes: Record<string, number>;
}

/**
 * Send `rate` requests/s for `secs` seconds to `url` (POST, JSON bodies from `body()`, each
 * called once per request, lazily), and wait for every response (30 s timeout each).
 */
export async function openLoop(vegeta: string, opts: { url: string; rate: number; secs: number; body: () => string }): Promise<OpenLoopResult> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-vegeta-'));
  const out = join(dir, 'results.bin');
  const total = opts.rate * opts.secs;
  function* targets() {
    for (let i = 0; i < total; i++) {
      const body = Buffer.from(opts.body()).toString('base64');
      yield `{"method":"POST","url":"${opts.url}","header":{"Content-Type":["application/json"]},"body":"${body}"}\n`;
    }
  }
  const attack = spawn(vegeta, ['attack', '-lazy', '-format=json', `-rate=${opts.rate}/s`, `-duration=${opts.secs}s`, '-timeout=30s', `-max-connections=${MAX_CONNECTIONS}`, `-output=${out}`], {
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  Readable.from(targets()).pipe(attack.stdin).on('error', () => undefined); // vegeta closes stdin when the duration ends
  const code = await new Promise<number | null>((ok) => attack.once('exit', ok));
  if (code !== 0) throw new Error(`vegeta attack exited with ${code}`);
  const report = JSON.parse(execFileSync(vegeta, ['report', '-type=json', out], { encoding: 'utf8' })) as VegetaReport;
  if (process.env.PW_VEGETA_KEEP) process.stderr.write(`kept ${out} (vegeta encode -to csv: one line per request)\n`);
  else rmSync(dir, { recursive: true, force: true });
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    requests: report.requests, sentRate: report.rate, throughput: report.throughput,
    p50: ms(report.latencies['50th']), p99: ms(report.latencies['99th']), max: ms(report.latencies.max),
    statusCodes: report.status_codes,
  };
}
