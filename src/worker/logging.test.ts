import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { cloudLoggingOptions, traceBindings } from './logging.js';
import { todayIn } from './slate-date.js';

describe('Cloud Logging format', () => {
  it('writes severity and message, and the trace on child loggers', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const log = pino(cloudLoggingOptions('info'), sink);
    log.child(traceBindings('105445aa7843bc8bf206b12000100000/1;o=1', 'proj')!).warn({ a: 1 }, 'hello');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ severity: 'WARNING', message: 'hello', a: 1, 'logging.googleapis.com/trace': 'projects/proj/traces/105445aa7843bc8bf206b12000100000', 'logging.googleapis.com/spanId': '1' });
    expect(line).not.toHaveProperty('level');
  });
  it('no or malformed header → no bindings', () => {
    expect(traceBindings(undefined, 'p')).toBeUndefined();
    expect(traceBindings('zz', 'p')).toBeUndefined();
  });
});

describe('todayIn', () => {
  it('uses the slate time zone, not UTC', () => {
    const lateEvening = new Date('2026-02-11T03:30:00Z'); // 22:30 on the 10th in New York
    expect(todayIn('America/New_York', lateEvening)).toBe('2026-02-10');
    expect(todayIn('UTC', lateEvening)).toBe('2026-02-11');
  });
});
