import { describe, expect, it } from 'vitest';
import { buildDigest, championTransitionAlert, championTransitionKind, retrainReminder } from './alerts.js';
import { samplePerformanceRow } from '../storage/sample-rows.js';

describe('retrainReminder (original §7.6, 7/10/14 days)', () => {
  it('levels at their boundaries', () => {
    expect(retrainReminder(null)).toBeNull();
    expect(retrainReminder(6)).toBeNull();
    expect(retrainReminder(7)).toBe('ROUTINE');
    expect(retrainReminder(9)).toBe('ROUTINE');
    expect(retrainReminder(10)).toBe('OVERDUE');
    expect(retrainReminder(13)).toBe('OVERDUE');
    expect(retrainReminder(14)).toBe('URGENT');
  });
});

describe('championTransitionAlert', () => {
  it('only for the champion, only on a transition, naming both states', () => {
    const degraded = samplePerformanceRow({ previous_state: 'HEALTHY', state: 'WATCH', action: 'DEGRADED' });
    const msg = championTransitionAlert([degraded], 'catboost_v9')!;
    expect(msg.text).toContain('DEGRADED');
    expect(msg.text).toContain('HEALTHY -> WATCH');
    expect(championTransitionAlert([samplePerformanceRow({ action: 'NO_CHANGE' })], 'catboost_v9')).toBeNull();
    expect(championTransitionAlert([{ ...degraded, system_id: 'cb_x', model_role: 'challenger' }], 'catboost_v9')).toBeNull();
    const recovered = samplePerformanceRow({ previous_state: 'BLOCKED', state: 'DEGRADING', action: 'RECOVERED' });
    expect(championTransitionAlert([recovered], 'catboost_v9')!.text).toContain('RECOVERED');
    expect(championTransitionKind(degraded)).not.toBe(championTransitionKind(recovered));
  });
});

describe('buildDigest', () => {
  it('states, verdicts, coverage and reminders per system, plus the report link', () => {
    const rows = [
      samplePerformanceRow({ state: 'HEALTHY', action: 'NO_CHANGE', days_since_training: 3, training_end_date: '2025-11-05' }),
      samplePerformanceRow({
        system_id: 'cb_q43',
        model_role: 'challenger',
        state: 'BLOCKED',
        action: 'DEGRADED',
        coverage_status: 'STARVED',
        predicted_rows: 40,
        champion_rows: 180,
        days_since_training: 15,
      }),
    ];
    const d = buildDigest({ gameDate: '2025-11-08', championSystemId: 'catboost_v9', rows, verdicts: [{ systemId: 'cb_q43', text: 'CHAMPION BETTER: 48.0% (N=100) vs 55.0%' }], reportUrl: 'https://example.test/r.html' });
    expect(d.text).toContain('cb_q43* (challenger) BLOCKED (DEGRADED)');
    expect(d.text).toContain('coverage STARVED: 40 rows vs champion 180');
    expect(d.text).toContain('retrain URGENT');
    expect(d.text).toContain('vs champion: CHAMPION BETTER');
    expect(d.text).toContain('https://example.test/r.html');
    expect(d.text).not.toMatch(/catboost_v9\* \(champion\)[^\n]*retrain/);
  });
});
