import { describe, expect, it } from 'vitest';
import { bodyDigest, decodePush, normalisePublishTime } from './envelope.js';

const envelope = (message: Record<string, unknown>) => JSON.stringify({ message, subscription: 'projects/p/subscriptions/s', deliveryAttempt: 2 });
const data = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
const payload = { player_lookup: 'lebronjames', game_date: '2026-02-10', game_id: '20260210_LAL_GSW' };

describe('decodePush', () => {
  it('decodes a valid push', () => {
    const r = decodePush(envelope({ data: data({ ...payload, unknown_extra: 1 }), messageId: 'm1', publishTime: '2026-02-10T12:00:00.5Z' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.player_lookup).toBe('lebronjames');
    expect(r.meta).toMatchObject({ messageId: 'm1', publishedAt: '2026-02-10T12:00:00.500Z', subscription: 'projects/p/subscriptions/s', deliveryAttempt: 2 });
  });
  it('accepts message_id / publish_time spellings', () => {
    const r = decodePush(envelope({ data: data(payload), message_id: 'm2', publish_time: '2026-02-10T12:00:00Z' }));
    expect(r.ok && r.meta.messageId).toBe('m2');
  });
  it('keeps what it could read when the payload is invalid', () => {
    const r = decodePush(envelope({ data: data({ player_lookup: 'x', game_date: '2026-02-10' }), messageId: 'm3' }));
    expect(r).toMatchObject({ ok: false, code: 'PW_ERR_PAYLOAD', meta: { messageId: 'm3', playerLookup: 'x', gameDate: '2026-02-10' } });
    if (!r.ok) expect(r.reason).toMatch(/game_id/);
  });
  it('without a messageId the id is the digest of the body (stable across redeliveries)', () => {
    const raw = '{"broken"';
    const r = decodePush(raw);
    expect(r).toMatchObject({ ok: false, code: 'PW_ERR_ENVELOPE', meta: { messageId: bodyDigest(raw) } });
  });
  it('refuses bad base64, missing data and real-looking but impossible dates', () => {
    expect(decodePush(envelope({ data: '!!!', messageId: 'm' }))).toMatchObject({ ok: false, code: 'PW_ERR_ENVELOPE' });
    expect(decodePush(envelope({ messageId: 'm' }))).toMatchObject({ ok: false, code: 'PW_ERR_ENVELOPE' });
    expect(decodePush(envelope({ data: data({ ...payload, game_date: '2026-13-01' }), messageId: 'm' }))).toMatchObject({ ok: false, code: 'PW_ERR_PAYLOAD' });
  });
  it('normalises nanosecond publish times and rejects garbage', () => {
    expect(normalisePublishTime('2026-02-10T12:00:00.123456789Z')).toBe('2026-02-10T12:00:00.123Z');
    expect(normalisePublishTime('yesterday')).toBeNull();
  });
});

describe('envelope hardening (issue 7, class 5)', () => {
  it('isBase64: both alphabets, padded or not, linear on megabytes', async () => {
    const { isBase64 } = await import('./envelope.js');
    expect(isBase64(Buffer.from('hello world').toString('base64'))).toBe(true);
    expect(isBase64(Buffer.from([0xfb, 0xff]).toString('base64url'))).toBe(true);
    expect(isBase64('abc')).toBe(true);
    expect(isBase64('a')).toBe(false);
    expect(isBase64('ab=c')).toBe(false);
    expect(isBase64('abc==')).toBe(false);
    expect(isBase64('%%%')).toBe(false);
    expect(isBase64(`${'A'.repeat(10_000_000)}!`)).toBe(false);
  });
  it('publishTime outside [2000-01-01, receipt + 1 h] is null', () => {
    const at = new Date('2026-02-10T12:00:00Z');
    expect(normalisePublishTime('2026-02-10T12:30:00Z', at)).toBe('2026-02-10T12:30:00.000Z');
    expect(normalisePublishTime('2026-02-10T14:00:00Z', at)).toBeNull();
    expect(normalisePublishTime('1999-12-31T23:59:59Z', at)).toBeNull();
    expect(normalisePublishTime('+275760-09-13T00:00:00.000Z', at)).toBeNull();
  });
});

describe('unwrapped pushes (issue 7, class 6)', () => {
  const headers = { 'x-goog-pubsub-message-id': '77', 'x-goog-pubsub-publish-time': '2026-02-10T12:00:00.123Z', 'x-goog-pubsub-subscription-name': 'projects/p/subscriptions/raw' };
  it('the body is the payload; id, time and subscription come from the headers', () => {
    const r = decodePush(JSON.stringify(payload), { headers, receivedAt: new Date('2026-02-10T12:00:01Z') });
    expect(r.ok).toBe(true);
    expect(r.meta).toMatchObject({ messageId: '77', publishedAt: '2026-02-10T12:00:00.123Z', subscription: 'projects/p/subscriptions/raw', wrapped: false, payloadDigest: bodyDigest(JSON.stringify(payload)) });
  });
  it('a body that is an envelope is read as one even with those headers; the payload digest is the same either way', () => {
    const wrapped = envelope({ data: data(payload), messageId: 'm9', publishTime: '2026-02-10T12:00:00Z' });
    const r = decodePush(wrapped, { headers, receivedAt: new Date('2026-02-10T12:00:01Z') });
    expect(r.ok).toBe(true);
    expect(r.meta).toMatchObject({ messageId: 'm9', wrapped: true, payloadDigest: bodyDigest(JSON.stringify(payload)) });
  });
  it('an unwrapped body that is not JSON is a payload error under the header id', () => {
    expect(decodePush('not json', { headers })).toMatchObject({ ok: false, code: 'PW_ERR_PAYLOAD', meta: { messageId: '77' } });
  });

  it('an empty or over-long message-id header is refused, recorded under the body digest', () => {
    const body = JSON.stringify(payload);
    for (const id of ['', 'x'.repeat(257)]) {
      expect(decodePush(body, { headers: { ...headers, 'x-goog-pubsub-message-id': id } })).toMatchObject({
        ok: false,
        code: 'PW_ERR_ENVELOPE',
        meta: { messageId: bodyDigest(body) },
      });
    }
  });
});

describe('message id when the envelope has none', () => {
  it('every refusal without a usable id is recorded under sha256 of the body', () => {
    const bodies = [
      '',
      'not json',
      '[1]',
      JSON.stringify({ message: { data: data(payload) } }),
      JSON.stringify({ message: { data: data(payload), messageId: 'x'.repeat(257) } }),
    ];
    for (const body of bodies) {
      const r = decodePush(body);
      expect(r.ok).toBe(false);
      expect(r.meta.messageId).toBe(bodyDigest(body));
    }
  });
  it('bodyDigest is sha256 hex of the UTF-8 bytes', () => {
    expect(bodyDigest('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bodyDigest(Buffer.from('abc'))).toBe(bodyDigest('abc'));
  });
});
