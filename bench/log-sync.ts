/**
 * What one group commit of the ingest log costs on this disk (ingest-log.ts `flush`: one write,
 * one `fdatasync`, both synchronous on the storage thread): `--syncs` appends of `--kb` KB (a
 * group of ~8 six-model pushes by default), each followed by `fdatasync`, to a file that grows
 * (as a segment does) and to a preallocated, zero-filled file written in place (the size never
 * changes, so the sync has no metadata to journal). Prints wall-clock and CPU µs per sync, twice
 * each, alternated; writes only in a temporary folder under `--dir` (default: the OS temp folder,
 * use the data folder's disk). Why it matters: bench/README.md, "Handing a write to the storage thread".
 * Usage: npx tsx bench/log-sync.ts [--syncs 2000 --kb 24 --dir /path]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const syncs = Number(option('--syncs', '2000'));
const group = Buffer.alloc(Number(option('--kb', '24')) * 1024, 7);
const dir = mkdtempSync(join(option('--dir', tmpdir()), 'pw-bench-log-sync-'));

/** µs of wall clock and CPU per append + fdatasync. */
function run(preallocated: boolean): { wall: number; cpu: number } {
  const path = join(dir, preallocated ? 'preallocated.log' : 'growing.log');
  const fd = openSync(path, preallocated ? 'w+' : 'a');
  try {
    if (preallocated) {
      const zeros = Buffer.alloc(1 << 20);
      const mb = Math.ceil((syncs * group.length) / zeros.length);
      for (let i = 0; i < mb; i++) writeSync(fd, zeros, 0, zeros.length, i * zeros.length);
      fdatasyncSync(fd);
    }
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (let i = 0, at = 0; i < syncs; i++, at += group.length) {
      if (preallocated) writeSync(fd, group, 0, group.length, at);
      else writeSync(fd, group);
      fdatasyncSync(fd);
    }
    const used = process.cpuUsage(cpu);
    return { wall: Number(process.hrtime.bigint() - start) / 1e3 / syncs, cpu: (used.user + used.system) / syncs };
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
}

try {
  const rows: string[] = [];
  for (let round = 1; round <= 2; round++) {
    for (const preallocated of [false, true]) {
      const r = run(preallocated);
      rows.push(`| ${preallocated ? 'preallocated, zero-filled' : 'growing (as a segment)'} | ${round} | ${r.wall.toFixed(0)} | ${r.cpu.toFixed(0)} |`);
    }
  }
  console.log(`${syncs} appends of ${group.length / 1024} KB, each followed by fdatasync, in ${dir}\n`);
  console.log('| file | run | wall µs / sync | CPU µs / sync |\n|---|---:|---:|---:|');
  console.log(rows.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
