/**
 * @module storage/bloom-filter
 * A Bloom filter over strings (B. H. Bloom, "Space/time trade-offs in hash coding with allowable
 * errors", CACM 13(7), 1970): `mightContain` never answers false for an added string, and answers
 * true for a string never added with probability ≈ (1 − e^(−k·n/m))^k. The k bit positions come
 * from two 32-bit hashes by double hashing, h1 + i·h2 (A. Kirsch and M. Mitzenmacher, "Less
 * Hashing, Same Performance", ESA 2006); the hashes are FNV-1a over the UTF-16 code units with two
 * offset bases, the second one's output mixed with the murmur3 32-bit finaliser.
 *
 * Sizing: `forCapacity(n, p)` picks m = −n·ln p / (ln 2)² bits and k = round(m/n · ln 2) hashes,
 * the optimum for n strings at false-positive rate p (1 % → 9.6 bits and 7 hashes per string).
 */

const FNV_PRIME = 0x01000193;

function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class BloomFilter {
  private readonly bits: Uint32Array;

  /**
   * `bitCount` bits (rounded up to a multiple of 32), `hashes` positions per string; `words`, when
   * given, holds the bits (e.g. a view of a SharedArrayBuffer another thread also reads), of
   * exactly `wordsFor(bitCount)` elements.
   */
  constructor(
    readonly bitCount: number,
    readonly hashes: number,
    words?: Uint32Array,
  ) {
    if (!(bitCount > 0) || !(hashes > 0)) throw new RangeError('a Bloom filter needs at least one bit and one hash');
    if (words && words.length !== BloomFilter.wordsFor(bitCount)) throw new RangeError(`expected ${BloomFilter.wordsFor(bitCount)} words, got ${words.length}`);
    this.bits = words ?? new Uint32Array(BloomFilter.wordsFor(bitCount));
  }

  /** 32-bit words holding `bitCount` bits. */
  static wordsFor(bitCount: number): number {
    return Math.ceil(bitCount / 32);
  }

  /** The optimal (bits, hashes) for `capacity` strings at false-positive rate `falsePositiveRate` (0 < p < 1). */
  static sizeFor(capacity: number, falsePositiveRate: number): { bitCount: number; hashes: number } {
    const n = Math.max(1, capacity);
    const m = Math.ceil((-n * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
    return { bitCount: m, hashes: Math.max(1, Math.round((m / n) * Math.LN2)) };
  }

  /** The optimal filter for `capacity` strings at false-positive rate `falsePositiveRate` (0 < p < 1). */
  static forCapacity(capacity: number, falsePositiveRate: number): BloomFilter {
    const { bitCount, hashes } = BloomFilter.sizeFor(capacity, falsePositiveRate);
    return new BloomFilter(bitCount, hashes);
  }

  /** The string's two base hashes (h2 odd, so the k positions differ modulo 2^32). */
  private static base(s: string): [number, number] {
    return [fnv1a(s, 0x811c9dc5), fmix32(fnv1a(s, 0x050c5d1f)) | 1];
  }

  add(s: string): void {
    const [h1, h2] = BloomFilter.base(s);
    const m = this.bits.length * 32;
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % m;
      this.bits[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  /** False: `s` was certainly never added. True: it probably was. */
  mightContain(s: string): boolean {
    const [h1, h2] = BloomFilter.base(s);
    const m = this.bits.length * 32;
    for (let i = 0; i < this.hashes; i++) {
      const bit = ((h1 + Math.imul(i, h2)) >>> 0) % m;
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
