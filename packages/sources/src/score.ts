/**
 * How good a source is to stream now. The score is a product of factors, each between 0 and 1,
 * times 100, so one bad factor (no seeds, a wrong size, stale stats) pulls the whole down:
 *
 *   swarm       log10(1 + seeds) / log10(1 + 1000), capped at 1: 1,000 seeds is as good as it gets
 *   availability 0.5 + 0.5 × seeds / (seeds + peers): many leechers per seed means slow pieces
 *   size        how close the size is to what the quality should weigh for the runtime
 *               (exp(-|ln(actual / expected)|)); a 1080p file of 300 MB is suspect, one of 20 GB slow
 *   freshness   1 for stats under 6 h old, falling linearly to 0.5 at 7 days (then 0.5)
 *   fit         how well quality and codec suit the asking client: the wanted quality scores 1,
 *               each step below 0.2 less, above it 0.85; 3D 0.2; x265 only when the client plays
 *               HEVC (then 1.05, as it is smaller for the same picture), otherwise 0
 *
 * The stored score (sources.stats/resync) is the client-independent part (fit left at 1);
 * rankSources() applies the client's quality and HEVC answer on top.
 */

export type Quality = '480p' | '720p' | '1080p' | '2160p' | '3D';
export type Codec = 'x264' | 'x265';

export interface SourceHealth {
  quality: Quality;
  codec: Codec;
  sizeBytes: number;
  seeds: number;
  peers: number;
  /** When seeds and peers were last counted; null when never. */
  statsAt: Date | null;
}

/** Expected megabytes per minute of film for each quality (typical web and bluray encodes). */
const MB_PER_MINUTE: Record<Quality, number> = { '480p': 6, '720p': 9, '1080p': 16, '2160p': 45, '3D': 16 };
const LADDER: Quality[] = ['480p', '720p', '1080p', '2160p'];
const DEFAULT_RUNTIME_MINUTES = 110;
const HOUR = 3600_000;

export function swarmFactor(seeds: number): number {
  return Math.min(1, Math.log10(1 + Math.max(0, seeds)) / Math.log10(1001));
}

export function availabilityFactor(seeds: number, peers: number): number {
  const total = Math.max(0, seeds) + Math.max(0, peers);
  return total === 0 ? 0.5 : 0.5 + (0.5 * Math.max(0, seeds)) / total;
}

export function sizeFactor(quality: Quality, sizeBytes: number, runtimeMinutes?: number | null): number {
  if (sizeBytes <= 0) return 0;
  const expected = MB_PER_MINUTE[quality] * (runtimeMinutes || DEFAULT_RUNTIME_MINUTES) * 1024 * 1024;
  return Math.exp(-Math.abs(Math.log(sizeBytes / expected)));
}

export function freshnessFactor(statsAt: Date | null, now: Date = new Date()): number {
  if (!statsAt) return 0.5;
  const ageHours = Math.max(0, (now.getTime() - statsAt.getTime()) / HOUR);
  if (ageHours <= 6) return 1;
  return Math.max(0.5, 1 - (0.5 * (ageHours - 6)) / (7 * 24 - 6));
}

export interface ClientPreferences {
  /** 'auto' wants 1080p. */
  quality: Quality | 'auto';
  hevc: boolean;
}

export function fitFactor(source: Pick<SourceHealth, 'quality' | 'codec'>, prefs: ClientPreferences): number {
  if (source.codec === 'x265' && !prefs.hevc) return 0;
  const codec = source.codec === 'x265' ? 1.05 : 1;
  if (source.quality === '3D') return 0.2 * codec;
  const wanted = LADDER.indexOf(prefs.quality === 'auto' ? '1080p' : (prefs.quality as Quality));
  const have = LADDER.indexOf(source.quality);
  const quality = have === wanted ? 1 : have > wanted ? 0.85 : Math.max(0.1, 1 - 0.2 * (wanted - have));
  return quality * codec;
}

/** The stored, client-independent score, 0–100. */
export function baseScore(source: SourceHealth, runtimeMinutes?: number | null, now?: Date): number {
  const score =
    100 *
    swarmFactor(source.seeds) *
    availabilityFactor(source.seeds, source.peers) *
    sizeFactor(source.quality, source.sizeBytes, runtimeMinutes) *
    freshnessFactor(source.statsAt, now);
  return Math.round(score * 100) / 100;
}

export type HealthLabel = 'excellent' | 'good' | 'fair' | 'poor' | 'dead' | 'unknown';

export function healthLabel(seeds: number, statsAt: Date | null): HealthLabel {
  if (!statsAt) return 'unknown';
  if (seeds >= 50) return 'excellent';
  if (seeds >= 15) return 'good';
  if (seeds >= 3) return 'fair';
  if (seeds >= 1) return 'poor';
  return 'dead';
}

/** Sources best first for this client; unplayable ones (x265 without HEVC) are left out. */
export function rankSources<T extends SourceHealth>(
  sources: T[],
  prefs: ClientPreferences,
  runtimeMinutes?: number | null,
  now?: Date,
): Array<T & { score: number }> {
  return sources
    .map((s) => ({
      ...s,
      score: Math.round(baseScore(s, runtimeMinutes, now) * fitFactor(s, prefs) * 100) / 100,
    }))
    .filter((s) => fitFactor(s, prefs) > 0)
    .sort((a, b) => b.score - a.score || b.seeds - a.seeds);
}
