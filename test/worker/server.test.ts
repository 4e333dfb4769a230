/**
 * The real entry point (src/worker/server.ts) as a child process: config from the environment,
 * embedded storage in a temp dir, listen on a free port, then SIGTERM → graceful close, exit 0
 * within the grace period, and what was acknowledged is on disk.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { FIXTURE_MODELS, HAVE_FIXTURES, REPO_ROOT, SKIP_REASON, freePort, pushBody, request } from './helper.js';


async function waitForHealth(base: string, deadlineMs: number, hasExited: () => boolean): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (hasExited()) throw new Error('worker exited before answering /health');
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`worker did not answer /health within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** src/worker/server.ts in a child process over a fresh data dir (embedded storage on its thread). */
function startServer(port: number, dataDir: string, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/worker/server.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUSH_AUTH: 'off',
      STORAGE_BACKEND: 'embedded',
      WORKER_DATA_DIR: dataDir,
      CATBOOST_V9_MODEL_PATH: FIXTURE_MODELS[0]!,
      MODEL_CACHE_DIR: join(dataDir, 'models'),
      SHUTDOWN_GRACE_MS: '8000',
      LOG_LEVEL: 'info',
      // A missing player is rejected at once (no young-slate retry) for this test.
      SLATE_YOUNG_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.on('data', (c) => output.push(String(c)));
  child.stderr.on('data', (c) => output.push(String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  /** Resolves with the base URL once /health answers; throws with the output if it never does. */
  const ready = async (): Promise<string> => {
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, 25_000, () => child.exitCode !== null).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.join('')}`);
    });
    return base;
  };
  return { child, output, exited, ready };
}

/** A push for a player the store does not have: answered at once, its outcome recorded on disk. */
const pushUnknownPlayer = (base: string, messageId: string) =>
  fetch(`${base}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pushBody(request('nobody', '2099-01-01'), { messageId }) });

describe.skipIf(!HAVE_FIXTURES)(`server process (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  it('serves, then exits 0 on SIGTERM within SHUTDOWN_GRACE_MS with its data flushed', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-server-'));
    const { child, output, exited, ready } = startServer(port, dataDir);

    try {
      const res = await pushUnknownPlayer(await ready(), 'm-sigterm');
      expect(res.status).toBe(200);

      const sentAt = Date.now();
      child.kill('SIGTERM');
      const result = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 8_000))]);
      expect(result, output.join('')).toEqual({ code: 0, signal: null });
      expect(Date.now() - sentAt).toBeLessThan(8_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }

    // Closed cleanly: the file is unlocked and the outcome is there.
    const lines = output.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.some((l) => l.severity === 'INFO' && typeof l.message === 'string')).toBe(true);
    const { readdirSync } = await import('node:fs');
    const dbFile = readdirSync(dataDir).find((f) => f.endsWith('.duckdb'));
    expect(dbFile, `no .duckdb file in ${dataDir}`).toBeDefined();
    const storage = await openDuckDbStorage({ path: join(dataDir, dbFile!) });
    try {
      expect((await storage.outcomes.rejected()).map((o) => o.message_id)).toContain('m-sigterm');
    } finally {
      await storage.close();
    }
  }, 45_000);

  it('exits 1 when its storage thread dies, and what it acknowledged is in the file at the next open', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-server-lost-'));
    const preload = join(REPO_ROOT, 'test/worker/fixtures/end-storage-thread-on-sigwinch.cjs');
    const { child, output, exited, ready } = startServer(port, dataDir, ['--require', preload]);
    try {
      const res = await pushUnknownPlayer(await ready(), 'm-before-loss');
      expect(res.status).toBe(200);
      child.kill('SIGWINCH'); // the storage thread ends; the process itself is unharmed
      const result = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 8_000))]);
      expect(result, output.join('')).toEqual({ code: 1, signal: null });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const lines = output.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const fatal = lines.find((l) => l.message === 'fatal error; closing');
    expect(fatal?.severity, output.join('')).toBe('ERROR');
    expect(JSON.stringify(fatal)).toMatch(/the storage thread exited/);
    const storage = await openDuckDbStorage({ path: join(dataDir, 'prediction-worker.duckdb') });
    try {
      expect((await storage.outcomes.rejected()).map((o) => o.message_id)).toContain('m-before-loss');
    } finally {
      await storage.close();
    }
  }, 45_000);
});
