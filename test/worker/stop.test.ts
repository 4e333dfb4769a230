/**
 * Issue 7, class 10: stopping. `npm start` is what developers and process managers run, so the
 * signal goes to npm's PID: SIGTERM or SIGINT there must drain, flush and end the worker, leaving
 * no process and no DuckDB write-ahead log behind (a WAL left behind means storage was not closed:
 * the acknowledged data then lives only in the log). Plus the shutdown grace delay: a close that
 * cannot finish (a request whose body never completes) ends with exit 1 after SHUTDOWN_GRACE_MS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { EMBEDDED_DB_FILE } from '../../src/storage/open.js';
import { FIXTURE_MODELS, HAVE_FIXTURES, REPO_ROOT, SKIP_REASON, freePort, pushBody, request } from './helper.js';


/** Every live descendant of `pid` (from /proc). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForHealth(base: string, child: ChildProcess, output: string[]): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (child.exitCode !== null) throw new Error(`worker exited before answering /health\n${output.join('')}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`worker did not answer /health\n${output.join('')}`);
}

function start(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (c) => output.push(String(c)));
  child.stderr!.on('data', (c) => output.push(String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output, exited };
}

describe.skipIf(!HAVE_FIXTURES)(`stopping the worker (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm start process drains, closes storage (no WAL) and leaves no process`, async () => {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), 'pw-stop-'));
      // Environment variables win over config/local.env (node --env-file).
      const { child, output, exited } = start('npm', ['start', '--silent'], {
        PORT: String(port),
        WORKER_DATA_DIR: dataDir,
        MODEL_CACHE_DIR: join(dataDir, 'models'),
        LOG_LEVEL: 'info',
        SLATE_YOUNG_SECONDS: '0',
      });
      let tree: number[] = [];
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForHealth(base, child, output);
        const res = await fetch(`${base}/predict`, { method: 'POST', body: pushBody(request('nobody', '2099-01-01'), { messageId: `m-${signal}` }) });
        expect(res.status).toBe(200);
        // While it runs, the acknowledged outcome is on disk: in the ingest log or DuckDB's write-ahead log.
        expect(existsSync(join(dataDir, `${EMBEDDED_DB_FILE}.ingest`)) || existsSync(join(dataDir, `${EMBEDDED_DB_FILE}.wal`))).toBe(true);
        tree = descendants(child.pid!);
        expect(tree.length).toBeGreaterThan(0);

        child.kill(signal);
        const result = await exited;
        expect(result.code, output.join('')).toBe(0);
        // Every process npm started has ended too (no orphan holding the DuckDB lock).
        for (let i = 0; i < 50 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
        expect(tree.filter(alive), output.join('')).toEqual([]);
      } finally {
        for (const pid of [...tree, child.pid!]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      }
      expect(output.join('')).toContain('"closed"');
      // Closed cleanly: log applied and removed, checkpointed (no WAL), unlocked, and the acknowledged outcome is there.
      expect(readdirSync(dataDir).filter((f) => f.endsWith('.wal') || f.endsWith('.ingest'))).toEqual([]);
      const storage = await openDuckDbStorage({ path: join(dataDir, EMBEDDED_DB_FILE) });
      try {
        expect((await storage.outcomes.rejected()).map((o) => o.message_id)).toContain(`m-${signal}`);
      } finally {
        await storage.close();
      }
    }, 60_000);
  }

  it('a close that cannot finish ends with exit 1 after SHUTDOWN_GRACE_MS', async () => {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-grace-'));
    const { child, output, exited } = start(process.execPath, ['--import', 'tsx', 'src/worker/server.ts'], {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUSH_AUTH: 'off',
      WORKER_DATA_DIR: dataDir,
      CATBOOST_V9_MODEL_PATH: FIXTURE_MODELS[0]!,
      MODEL_CACHE_DIR: join(dataDir, 'models'),
      SHUTDOWN_GRACE_MS: '1500',
    });
    let socket: ReturnType<typeof connect> | undefined;
    try {
      await waitForHealth(`http://127.0.0.1:${port}`, child, output);
      // A request whose body never completes keeps the connection busy: close cannot drain it.
      socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve, reject) => socket!.once('connect', () => resolve()).once('error', reject));
      socket.write(`POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"message":`);
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGTERM');
      const result = await exited;
      expect(result, output.join('')).toEqual({ code: 1, signal: null });
      // close-with-grace gave up after exactly the configured delay.
      const problem = output.join('').split('\n').find((l) => l.includes('shutdown problem'));
      expect(problem, output.join('')).toContain('killed by timeout (1500ms)');
    } finally {
      socket?.destroy();
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
