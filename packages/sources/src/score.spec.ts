import { describe, expect, it } from '@jest/globals';
import {
  availabilityFactor,
  baseScore,
  fitFactor,
  freshnessFactor,
  healthLabel,
  rankSources,
  sizeFactor,
  swarmFactor,
  type SourceHealth,
} from './score.js';

const GB = 1024 ** 3;
const now = new Date('2026-11-23T12:00:00Z');
const fresh = new Date('2026-11-23T11:00:00Z');

function source(overrides: Partial<SourceHealth> & { id?: string } = {}): SourceHealth & { id: string } {
  return {
    id: 'x',
    quality: '1080p',
    codec: 'x264',
    sizeBytes: 1.7 * GB,
    seeds: 200,
    peers: 50,
    statsAt: fresh,
    ...overrides,
  };
}

describe('score factors', () => {
  it('more seeds is better, with diminishing returns, capped at 1,000', () => {
    expect(swarmFactor(0)).toBe(0);
    expect(swarmFactor(10)).toBeLessThan(swarmFactor(100));
    expect(swarmFactor(100) - swarmFactor(10)).toBeGreaterThan(swarmFactor(1000) - swarmFactor(900));
    expect(swarmFactor(5000)).toBe(1);
  });

  it('a crowd of leechers per seed lowers availability', () => {
    expect(availabilityFactor(100, 0)).toBe(1);
    expect(availabilityFactor(10, 990)).toBeLessThan(0.6);
  });

  it('a size far from what the quality should weigh is suspect either way', () => {
    const right = sizeFactor('1080p', 1.7 * GB, 110);
    expect(right).toBeGreaterThan(0.9);
    expect(sizeFactor('1080p', 0.2 * GB, 110)).toBeLessThan(0.2);
    expect(sizeFactor('1080p', 20 * GB, 110)).toBeLessThan(0.2);
    expect(sizeFactor('1080p', 0, 110)).toBe(0);
  });

  it('old stats count for less, never below half', () => {
    expect(freshnessFactor(fresh, now)).toBe(1);
    expect(freshnessFactor(new Date('2026-11-20T12:00:00Z'), now)).toBeLessThan(1);
    expect(freshnessFactor(new Date('2026-01-01T00:00:00Z'), now)).toBe(0.5);
    expect(freshnessFactor(null, now)).toBe(0.5);
  });

  it('x265 only for clients that play HEVC; the wanted quality first', () => {
    expect(fitFactor({ quality: '1080p', codec: 'x265' }, { quality: 'auto', hevc: false })).toBe(0);
    expect(fitFactor({ quality: '1080p', codec: 'x265' }, { quality: 'auto', hevc: true })).toBeGreaterThan(
      1,
    );
    expect(fitFactor({ quality: '720p', codec: 'x264' }, { quality: '720p', hevc: false })).toBe(1);
    expect(fitFactor({ quality: '480p', codec: 'x264' }, { quality: '1080p', hevc: false })).toBeLessThan(
      fitFactor({ quality: '720p', codec: 'x264' }, { quality: '1080p', hevc: false }),
    );
  });
});

describe('ranking', () => {
  it('orders by health, not at random: a dead source is last whatever its quality', () => {
    const ranked = rankSources(
      [
        source({ id: 'dead-2160', quality: '2160p', sizeBytes: 5 * GB, seeds: 0, peers: 0 }),
        source({ id: 'healthy-1080', seeds: 300 }),
        source({ id: 'weak-1080', seeds: 4, peers: 40 }),
        source({ id: 'healthy-720', quality: '720p', sizeBytes: 1 * GB, seeds: 400 }),
      ],
      { quality: 'auto', hevc: false },
      110,
      now,
    );
    expect(ranked.map((s) => s.id)).toEqual(['healthy-1080', 'healthy-720', 'weak-1080', 'dead-2160']);
    expect(ranked.at(-1)!.score).toBe(0);
  });

  it('leaves x265 out for a client without HEVC and ranks it for one with', () => {
    const sources = [source({ id: 'h264' }), source({ id: 'h265', codec: 'x265', sizeBytes: 1.2 * GB })];
    expect(rankSources(sources, { quality: 'auto', hevc: false }, 110, now).map((s) => s.id)).toEqual([
      'h264',
    ]);
    expect(rankSources(sources, { quality: 'auto', hevc: true }, 110, now)).toHaveLength(2);
  });

  it('labels health from seeds, unknown before the first count', () => {
    expect(healthLabel(120, fresh)).toBe('excellent');
    expect(healthLabel(20, fresh)).toBe('good');
    expect(healthLabel(5, fresh)).toBe('fair');
    expect(healthLabel(1, fresh)).toBe('poor');
    expect(healthLabel(0, fresh)).toBe('dead');
    expect(healthLabel(100, null)).toBe('unknown');
    expect(baseScore(source({ seeds: 0 }), 110, now)).toBe(0);
  });
});
