import { describe, expect, it } from 'vitest';
import { sampleRegistryEventRow } from '../storage/sample-rows.js';
import { auditEventSource, eventsFromAudit } from './events.js';

const NY = 'America/New_York';

describe('registry events from the audit trail', () => {
  it('marks promote, retire, rollback and entry_added on the slate date; evaluate verdicts are not marked', () => {
    const rows = [
      sampleRegistryEventRow({ event_id: 'a', action: 'evaluate', system_id: 'cb_x', event_time: '2026-02-05T15:00:00.000Z' }),
      sampleRegistryEventRow({ event_id: 'b', action: 'entry_added', system_id: 'cb_x', event_time: '2026-02-05T16:00:00.000Z' }),
      // 01:30 UTC on the 7th is still the 6th in New York.
      sampleRegistryEventRow({ event_id: 'c', action: 'promote', system_id: 'cb_x', event_time: '2026-02-07T01:30:00.000Z', forced: true, reason: 'manual' }),
      sampleRegistryEventRow({ event_id: 'd', action: 'retire', system_id: 'cb_y', event_time: '2026-02-08T12:00:00.000Z' }),
      sampleRegistryEventRow({ event_id: 'e', action: 'rollback', system_id: 'catboost_v9', event_time: '2026-02-09T12:00:00.000Z' }),
    ];
    const marks = eventsFromAudit(rows, NY);
    expect(marks.map((m) => [m.date, m.system_id, m.kind])).toEqual([
      ['2026-02-05', 'cb_x', 'added'],
      ['2026-02-06', 'cb_x', 'promoted'],
      ['2026-02-08', 'cb_y', 'retired'],
      ['2026-02-09', 'catboost_v9', 'rollback'],
    ]);
    expect(marks[1]!.detail).toContain('forced');
    expect(marks[1]!.detail).toContain('manual');
  });

  it('the source keeps only marks inside the range', async () => {
    const rows = [
      sampleRegistryEventRow({ event_id: 'p1', action: 'promote', event_time: '2026-02-01T12:00:00.000Z' }),
      sampleRegistryEventRow({ event_id: 'p2', action: 'promote', event_time: '2026-02-10T12:00:00.000Z' }),
    ];
    const source = auditEventSource({ list: async () => rows }, NY);
    expect((await source.forRange('2026-02-05', '2026-02-12')).map((m) => m.date)).toEqual(['2026-02-10']);
  });
});
