import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { cloudLoggingOptions, lineLogger, traceBindings } from './logging.js';
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
  it('the per-second memo turns the day exactly at local midnight, either way in time', () => {
    const zone = 'America/New_York'; // EST: midnight is 05:00Z
    const seq: Array<[string, string]> = [
      ['2026-02-11T04:59:59.000Z', '2026-02-10'],
      ['2026-02-11T04:59:59.999Z', '2026-02-10'],
      ['2026-02-11T05:00:00.000Z', '2026-02-11'],
      ['2026-02-11T05:00:00.999Z', '2026-02-11'],
      ['2026-02-11T04:59:59.999Z', '2026-02-10'],
      ['2026-07-01T03:59:59.999Z', '2026-06-30'], // EDT: midnight is 04:00Z
      ['2026-07-01T04:00:00.000Z', '2026-07-01'],
      ['1969-12-31T23:59:59.500Z', '1969-12-31'], // negative epoch seconds floor the right way
    ];
    for (const [iso, day] of seq) expect([iso, todayIn(zone, new Date(iso))]).toEqual([iso, day]);
    expect(todayIn('UTC', new Date('2026-07-01T04:00:00.000Z'))).toBe('2026-07-01');
    expect(todayIn('Asia/Kolkata', new Date('2026-07-01T18:29:59.999Z'))).toBe('2026-07-01'); // +05:30
    expect(todayIn('Asia/Kolkata', new Date('2026-07-01T18:30:00.000Z'))).toBe('2026-07-02');
  });
  it('an invalid date still throws, cached or not', () => {
    todayIn('UTC', new Date('2026-01-01T00:00:00Z'));
    expect(() => todayIn('UTC', new Date(NaN))).toThrow(RangeError);
  });
});

describe('lineLogger', () => {
  /** Every line a pino logger (Cloud Logging options, fixed time) writes, as raw text. */
  function capture() {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const log = pino({ ...cloudLoggingOptions('info'), timestamp: () => ',"time":"T"' }, sink).child({ reqId: 'req-1' });
    return { log, lines };
  }
  const cases: Array<Record<string, string | null>> = [
    { message_id: '1234567890', player_lookup: 'lebronjames', game_date: '2026-02-10' },
    { message_id: 'quote " back \\ tab \t nl \n ctl \u0001', player_lookup: 'x'.repeat(150) },
    { message_id: 'lone \ud800 surrogate', player_lookup: 'ok' },
    { message_id: 'null binding', game_date: null },
  ];

  it.each(cases)('writes the same bytes as a child logger with those bindings (%o)', (bindings) => {
    const viaChild = capture();
    const viaLine = capture();
    const emit = (log: Pick<typeof viaChild.log, 'info' | 'warn' | 'error'>) => {
      log.info({ rows_written: 6, failed_systems: [], line_provenance: 'actual_prop_line' }, 'prediction written');
      log.warn({ reason_code: 'PW_ERR_PAYLOAD', reason: 'r "q"' }, 'push rejected');
      log.error({ system_id: 's', err: new Error('boom') }, 'model failed for this message');
    };
    emit(viaChild.log.child(bindings));
    emit(lineLogger(viaLine.log, bindings));
    const strip = (l: string) => l.replace(/"stack":"[^"]*"/, '"stack":""');
    expect(viaLine.lines.map(strip)).toEqual(viaChild.lines.map(strip));
    expect(viaLine.lines).toHaveLength(3);
  });
});
