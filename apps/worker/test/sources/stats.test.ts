import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jobByName } from '@cinenest/queue';
import { baseScore, type Codec, type Quality } from '@cinenest/sources';
import {
  startTrackerStandIn,
  startUnresponsiveTracker,
  waitFor,
  type TrackerStandIn,
  type UnresponsiveTracker,
} from '@cinenest/testkit';
import { UnrecoverableError, Worker } from 'bullmq';
import { DAY, MINUTE, startSourcesHarness, type SourcesHarness } from './support.js';

const HOUR = 60 * MINUTE;

let h: SourcesHarness;
/** Two trackers, each on HTTP and UDP, and one that takes requests and never answers. */
let a: TrackerStandIn;
let b: TrackerStandIn;
let down: UnresponsiveTracker;

beforeAll(async () => {
  [a, b, down] = await Promise.all([
    startTrackerStandIn(),
    startTrackerStandIn(),
    startUnresponsiveTracker(),
  ]);
  h = await startSourcesHarness({
    TRACKERS: [a.httpAnnounce, a.udpAnnounce].join(','),
    VPN_CHECK_INTERVAL: '1',
  });
});

afterAll(async () => {
  await h?.close();
  await Promise.all([a?.close(), b?.close(), down?.close()]);
});

/** Movies made here, not by the stand-ins: nothing but a title and a runtime is needed. */
let nextTmdbId = 900_000;
async function movie(runtime: number | null = 110) {
  return h.db.movie.create({ data: { tmdbId: nextTmdbId++, title: `Stats ${nextTmdbId}`, runtime } });
}

/** What a 1080p file for a 110-minute film weighs (the score's size factor is then 1). */
const SIZE_1080P_110 = BigInt(16 * 110 * 1024 * 1024);

interface SourceSpec {
  movieId: number;
  hash?: string;
  quality?: Quality;
  codec?: Codec;
  sizeBytes?: bigint;
  seeds?: number;
  peers?: number;
  score?: number;
  lastStatsCheck?: Date | null;
  nextStatsCheckAt?: Date | null;
  statsStableRuns?: number;
  deadSince?: Date | null;
}

const newHash = () => randomBytes(20).toString('hex');

/** Stores sources as sources.search would (hash encrypted, keyed lookup), with the given state. */
async function addSources(specs: SourceSpec[]) {
  const data = specs.map((s) => {
    const hash = s.hash ?? newHash();
    return {
      movieId: s.movieId,
      provider: 'yts',
      hashLookup: h.cipher.lookup(hash),
      infoHashEnc: h.cipher.encrypt(hash),
      magnetEnc: h.cipher.encrypt(`magnet:?xt=urn:btih:${hash}`),
      quality: s.quality ?? '1080p',
      codec: s.codec ?? 'x264',
      sizeBytes: s.sizeBytes ?? SIZE_1080P_110,
      seeds: s.seeds ?? 0,
      peers: s.peers ?? 0,
      score: s.score ?? 0,
      lastStatsCheck: s.lastStatsCheck ?? null,
      nextStatsCheckAt: s.nextStatsCheckAt === undefined ? new Date() : s.nextStatsCheckAt,
      statsStableRuns: s.statsStableRuns ?? 0,
      deadSince: s.deadSince ?? null,
    };
  });
  const rows = await h.db.movieSource.createManyAndReturn({ data, select: { id: true, hashLookup: true } });
  const idOf = new Map(rows.map((r) => [r.hashLookup, r.id]));
  return specs.map((_, i) => {
    const hash = h.cipher.decryptText(data[i]!.infoHashEnc);
    return { id: idOf.get(data[i]!.hashLookup)!, hash };
  });
}

const row = (id: number) => h.db.movieSource.findUniqueOrThrow({ where: { id } });

/** Runs sources.stats directly against these trackers (and, if given, another back-off cap). */
function stats(ids: number[], trackers: string[], env: { maxBackoffHours?: number } = {}) {
  return h.run(
    'sources.stats',
    { sourceIds: ids },
    {
      config: {
        ...h.config,
        TRACKERS: trackers,
        STATS_MAX_BACKOFF_HOURS: env.maxBackoffHours ?? h.config.STATS_MAX_BACKOFF_HOURS,
      },
    },
  ) as Promise<Record<string, unknown>>;
}

/** The wait a check set: from the check to the next one. */
async function waitOf(id: number): Promise<number> {
  const r = await row(id);
  expect(r.lastStatsCheck).not.toBeNull();
  return r.nextStatsCheckAt!.getTime() - r.lastStatsCheck!.getTime();
}

describe('sources.stats stores what trackers count', () => {
  it('from an HTTP tracker and from a UDP tracker: seeds = complete, peers = incomplete', async () => {
    const m = await movie();
    const sources = await addSources([{ movieId: m.id }, { movieId: m.id }, { movieId: m.id }]);
    sources.forEach((s, i) => a.setSwarm(s.hash, { complete: 40 + i, incomplete: 7 + i }));

    const before = Date.now();
    const viaHttp = await stats([sources[0]!.id, sources[1]!.id], [a.httpAnnounce]);
    expect(viaHttp).toMatchObject({ sources: 2, checked: 2, unanswered: 0 });
    const viaUdp = await stats([sources[2]!.id], [a.udpAnnounce]);
    expect(viaUdp).toMatchObject({ sources: 1, checked: 1, unanswered: 0 });

    for (const [i, s] of sources.entries()) {
      const r = await row(s.id);
      expect({ seeds: r.seeds, peers: r.peers }).toEqual({ seeds: 40 + i, peers: 7 + i });
      expect(r.lastStatsCheck!.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(r.nextStatsCheckAt!.getTime()).toBeGreaterThan(r.lastStatsCheck!.getTime());
      expect(r.deadSince).toBeNull();
      expect(r.score).toBeGreaterThan(0);
    }
  });

  it('one scrape per tracker for the whole batch; UDP split at 74 hashes; each hash once', async () => {
    const m = await movie();
    const other = await movie();
    const sources = await addSources(Array.from({ length: 200 }, () => ({ movieId: m.id })));
    // The same torrent listed under another movie: one hash in the request, both rows counted.
    const [twin] = await addSources([{ movieId: other.id, hash: sources[0]!.hash }]);
    sources.forEach((s, i) => a.setSwarm(s.hash, { complete: i + 1, incomplete: 2 * i }));
    const seenA = a.scrapes().length;

    const result = await stats([...sources.map((s) => s.id), twin!.id], [a.httpAnnounce, a.udpAnnounce]);
    expect(result).toMatchObject({ sources: 201, checked: 201, unanswered: 0 });
    const made = a.scrapes().slice(seenA);
    expect(made.filter((s) => s.protocol === 'http').map((s) => s.hashes)).toEqual([200]);
    const udp = made.filter((s) => s.protocol === 'udp').map((s) => s.hashes);
    expect([...udp].sort((x, y) => y - x)).toEqual([74, 74, 52]);

    const rows = await h.db.movieSource.findMany({ where: { id: { in: sources.map((s) => s.id) } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    sources.forEach((s, i) =>
      expect([i, byId.get(s.id)!.seeds, byId.get(s.id)!.peers]).toEqual([i, i + 1, 2 * i]),
    );
    expect(await row(twin!.id)).toMatchObject({ seeds: 1, peers: 0 });

    // A small batch: one request per protocol.
    const few = await addSources(Array.from({ length: 30 }, () => ({ movieId: m.id })));
    const seenB = b.scrapes().length;
    await stats(
      few.map((s) => s.id),
      [b.httpAnnounce, b.udpAnnounce],
    );
    expect(
      b
        .scrapes()
        .slice(seenB)
        .map((s) => `${s.protocol}:${s.hashes}`)
        .sort(),
    ).toEqual(['http:30', 'udp:30']);
  });

  it('takes the highest seeds and the highest peers across trackers', async () => {
    const m = await movie();
    const [s, t] = await addSources([{ movieId: m.id }, { movieId: m.id }]);
    a.setSwarm(s!.hash, { complete: 10, incomplete: 50 });
    b.setSwarm(s!.hash, { complete: 30, incomplete: 5 });
    // b has never heard of t (it answers 0/0): a's figures stand.
    a.setSwarm(t!.hash, { complete: 12, incomplete: 3 });
    await stats([s!.id, t!.id], [a.httpAnnounce, b.udpAnnounce]);
    expect(await row(s!.id)).toMatchObject({ seeds: 30, peers: 50 });
    expect(await row(t!.id)).toMatchObject({ seeds: 12, peers: 3 });
  });

  it('a tracker that does not answer among live ones loses nothing', async () => {
    const m = await movie();
    const sources = await addSources([{ movieId: m.id }, { movieId: m.id }]);
    sources.forEach((s) => a.setSwarm(s.hash, { complete: 21, incomplete: 4 }));
    const asked = down.received();
    const result = await stats(
      sources.map((s) => s.id),
      [down.udpAnnounce, a.udpAnnounce, down.httpAnnounce],
    );
    expect(result).toMatchObject({ checked: 2, unanswered: 0 });
    expect(result.trackers).toEqual([
      { requests: 1, answered: 0, failed: 1 },
      { requests: 1, answered: 2, failed: 0 },
      { requests: 1, answered: 0, failed: 1 },
    ]);
    // It was asked (both ways), and waited for no longer than its timeout.
    expect(down.received().udp).toBeGreaterThan(asked.udp);
    expect(down.received().http).toBeGreaterThan(asked.http);
    for (const s of sources) expect(await row(s.id)).toMatchObject({ seeds: 21, peers: 4, deadSince: null });
  });

  it('every tracker down: counts, score and history untouched; next check 10–20 minutes on', async () => {
    const m = await movie();
    const checkedAt = new Date(Date.now() - 3 * HOUR);
    const specs = Array.from({ length: 6 }, () => ({
      movieId: m.id,
      seeds: 17,
      peers: 9,
      score: 42.5,
      lastStatsCheck: checkedAt,
      nextStatsCheckAt: new Date(Date.now() - MINUTE),
      statsStableRuns: 3,
    }));
    const sources = await addSources(specs);
    const before = await h.db.movieSource.findMany({ where: { id: { in: sources.map((s) => s.id) } } });
    // The trackers would say 0: had they been asked, the swarm would look dead.
    const t0 = Date.now();
    const result = await stats(
      sources.map((s) => s.id),
      [down.udpAnnounce, down.httpAnnounce],
    );
    const t1 = Date.now();
    expect(result).toMatchObject({ sources: 6, checked: 0, unanswered: 6, dead: 0 });
    const after = await h.db.movieSource.findMany({ where: { id: { in: sources.map((s) => s.id) } } });
    const nexts: number[] = [];
    for (const r of after) {
      const was = before.find((x) => x.id === r.id)!;
      expect(r).toMatchObject({
        seeds: 17,
        peers: 9,
        score: 42.5,
        lastStatsCheck: checkedAt,
        statsStableRuns: 3,
        deadSince: null,
      });
      expect(r.infoHashEnc).toBe(was.infoHashEnc);
      const next = r.nextStatsCheckAt!.getTime();
      expect(next).toBeGreaterThanOrEqual(t0 + 10 * MINUTE);
      expect(next).toBeLessThanOrEqual(t1 + 20 * MINUTE);
      nexts.push(next);
    }
    expect(new Set(nexts).size).toBeGreaterThan(1);
  });
});

describe('sources.stats schedules the next check by how the swarm moves', () => {
  /** A source checked an hour ago with these counts and this many stable runs. */
  const checkedSource = (movieId: number, seeds: number, peers: number, statsStableRuns: number) => ({
    movieId,
    seeds,
    peers,
    statsStableRuns,
    lastStatsCheck: new Date(Date.now() - HOUR),
    nextStatsCheckAt: new Date(Date.now() - MINUTE),
  });
  const within = (wait: number, lo: number, hi: number) =>
    expect([wait, wait >= lo && wait <= hi]).toEqual([wait, true]);

  it('stable counts double the wait each run (30 min × 2^runs ± 15%) up to 72 h, never past it', async () => {
    const m = await movie();
    const runs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 20];
    // Moves of 0, ≤ 2 or under 10% are stable.
    const moves = [0, 2, -2, 1, 5, -8, 0, 3, 9, 0, 1];
    const sources = await addSources(runs.map((r) => checkedSource(m.id, 100, 40, r)));
    sources.forEach((s, i) => a.setSwarm(s.hash, { complete: 100 + moves[i]!, incomplete: 40 }));
    await stats(
      sources.map((s) => s.id),
      [a.udpAnnounce],
    );
    const cap = 72 * HOUR;
    for (const [i, s] of sources.entries()) {
      const r = await row(s.id);
      const stableRuns = Math.min(20, runs[i]! + 1);
      expect([runs[i], r.statsStableRuns]).toEqual([runs[i], stableRuns]);
      const interval = Math.min(cap, 30 * MINUTE * 2 ** stableRuns);
      within(await waitOf(s.id), 0.85 * interval - 1, Math.min(1.15 * interval, cap) + 1);
    }
    // From 7 stable runs on (30 min × 2^8 = 128 h) the cap holds.
    for (const s of sources.slice(7)) expect(await waitOf(s.id)).toBeLessThanOrEqual(cap);
  });

  it('the cap is STATS_MAX_BACKOFF_HOURS', async () => {
    const m = await movie();
    const [s] = await addSources([checkedSource(m.id, 50, 5, 9)]);
    a.setSwarm(s!.hash, { complete: 50, incomplete: 5 });
    await stats([s!.id], [a.httpAnnounce], { maxBackoffHours: 5 });
    within(await waitOf(s!.id), 0.85 * 5 * HOUR - 1, 5 * HOUR + 1);
  });

  it('a big change brings the next check to ~15 min and resets the runs; a middling one to ~30 min', async () => {
    const m = await movie();
    const sources = await addSources([
      checkedSource(m.id, 100, 40, 6), // seeds halve and more → big
      checkedSource(m.id, 0, 0, 6), // a dead swarm wakes up → big
      checkedSource(m.id, 20, 10, 6), // peers jump 10 → 60 → big
      checkedSource(m.id, 100, 40, 6), // seeds -30%: not stable, not big
    ]);
    const now = [
      { complete: 30, incomplete: 40 },
      { complete: 40, incomplete: 3 },
      { complete: 20, incomplete: 60 },
      { complete: 70, incomplete: 40 },
    ];
    sources.forEach((s, i) => a.setSwarm(s.hash, now[i]!));
    await stats(
      sources.map((s) => s.id),
      [a.udpAnnounce],
    );
    for (const s of sources.slice(0, 3)) {
      expect((await row(s.id)).statsStableRuns).toBe(0);
      within(await waitOf(s.id), 0.85 * 15 * MINUTE - 1, 1.15 * 15 * MINUTE + 1);
    }
    expect((await row(sources[3]!.id)).statsStableRuns).toBe(0);
    within(await waitOf(sources[3]!.id), 0.85 * 30 * MINUTE - 1, 1.15 * 30 * MINUTE + 1);
  });

  it('a first check (counts so far from YTS) starts at ~30 min, whatever the counts were', async () => {
    const m = await movie();
    const [s] = await addSources([{ movieId: m.id, seeds: 900, peers: 100 }]);
    a.setSwarm(s!.hash, { complete: 3, incomplete: 1 });
    await stats([s!.id], [a.httpAnnounce]);
    expect(await row(s!.id)).toMatchObject({ seeds: 3, peers: 1, statsStableRuns: 0 });
    within(await waitOf(s!.id), 0.85 * 30 * MINUTE - 1, 1.15 * 30 * MINUTE + 1);
  });

  it('jitter spreads sources checked together, within ±15%', async () => {
    const m = await movie();
    const sources = await addSources(Array.from({ length: 30 }, () => checkedSource(m.id, 60, 6, 2)));
    sources.forEach((s) => a.setSwarm(s.hash, { complete: 60, incomplete: 6 }));
    await stats(
      sources.map((s) => s.id),
      [a.httpAnnounce],
    );
    const interval = 30 * MINUTE * 2 ** 3;
    const waits = await Promise.all(sources.map((s) => waitOf(s.id)));
    for (const w of waits) within(w, 0.85 * interval - 1, 1.15 * interval + 1);
    expect(new Set(waits).size).toBeGreaterThan(20);
    // Both halves of the range are used.
    expect(waits.some((w) => w < interval)).toBe(true);
    expect(waits.some((w) => w > interval)).toBe(true);
  });
});

describe('sources.stats: dead swarms and scores', () => {
  it('deadSince is set at the first check without seeds, kept while it stays so, cleared when seeds return', async () => {
    const m = await movie();
    const [s] = await addSources([
      { movieId: m.id, seeds: 5, peers: 2, lastStatsCheck: new Date(Date.now() - HOUR) },
    ]);
    a.setSwarm(s!.hash, { complete: 0, incomplete: 2 });
    const result = await stats([s!.id], [a.udpAnnounce]);
    expect(result).toMatchObject({ dead: 1 });
    const first = await row(s!.id);
    expect(first.seeds).toBe(0);
    expect(first.deadSince).toEqual(first.lastStatsCheck);
    expect(first.score).toBe(0);

    await stats([s!.id], [a.udpAnnounce]);
    const second = await row(s!.id);
    expect(second.lastStatsCheck!.getTime()).toBeGreaterThanOrEqual(first.lastStatsCheck!.getTime());
    expect(second.deadSince).toEqual(first.deadSince);

    a.setSwarm(s!.hash, { complete: 4, incomplete: 2 });
    await stats([s!.id], [a.udpAnnounce]);
    const third = await row(s!.id);
    expect(third).toMatchObject({ seeds: 4, deadSince: null });
    expect(third.score).toBeGreaterThan(0);
  });

  it('the stored score is baseScore of the new counts and the movie runtime; better swarms rank higher', async () => {
    const m = await movie(150);
    // What each quality should weigh for 150 minutes (9 and 16 MB a minute).
    const size150 = (mbPerMinute: number) => BigInt(mbPerMinute * 150 * 1024 * 1024);
    const sources = await addSources([
      { movieId: m.id, quality: '1080p', sizeBytes: size150(16), seeds: 1, peers: 1, score: 1 },
      { movieId: m.id, quality: '1080p', sizeBytes: size150(16), seeds: 900, peers: 10, score: 99 },
      { movieId: m.id, quality: '720p', sizeBytes: size150(9), seeds: 0, peers: 0, score: 50 },
      // Sized for 110 minutes: too small for this 150-minute film.
      { movieId: m.id, quality: '1080p', sizeBytes: SIZE_1080P_110, seeds: 0, peers: 0, score: 50 },
    ]);
    const counts = [
      { complete: 800, incomplete: 40 },
      { complete: 6, incomplete: 120 },
      { complete: 0, incomplete: 9 },
      { complete: 800, incomplete: 40 },
    ];
    sources.forEach((s, i) => a.setSwarm(s.hash, counts[i]!));
    await stats(
      sources.map((s) => s.id),
      [a.httpAnnounce],
    );
    const rows = await Promise.all(sources.map((s) => row(s.id)));
    for (const r of rows) {
      const expected = baseScore(
        {
          quality: r.quality as Quality,
          codec: r.codec as Codec,
          sizeBytes: Number(r.sizeBytes),
          seeds: r.seeds,
          peers: r.peers,
          statsAt: r.lastStatsCheck,
        },
        150,
        r.lastStatsCheck!,
      );
      expect([r.id, r.score]).toEqual([r.id, expected]);
    }
    const [busy, thin, dead, small] = rows;
    expect(busy!.score).toBeGreaterThan(small!.score);
    expect(small!.score).toBeGreaterThan(thin!.score);
    expect(thin!.score).toBeGreaterThan(dead!.score);
    expect(dead!.score).toBe(0);
    const ranked = await h.db.movieSource.findMany({ where: { movieId: m.id }, orderBy: { score: 'desc' } });
    expect(ranked.map((r) => r.id)).toEqual([busy!.id, small!.id, thin!.id, dead!.id]);
  });

  it('a source whose hash cannot be decrypted is left alone until the back-off cap', async () => {
    const m = await movie();
    const [s] = await addSources([{ movieId: m.id, seeds: 8, peers: 1 }]);
    await h.db.movieSource.update({ where: { id: s!.id }, data: { infoHashEnc: 't9:bm90LWEtcmVhbC1rZXk=' } });
    const t0 = Date.now();
    const result = await stats([s!.id], [a.udpAnnounce]);
    expect(result).toMatchObject({ sources: 1, checked: 0, unreadable: 1 });
    const r = await row(s!.id);
    expect(r).toMatchObject({ seeds: 8, peers: 1, lastStatsCheck: null });
    expect(r.nextStatsCheckAt!.getTime()).toBeGreaterThanOrEqual(t0 + 72 * HOUR);
  });
});

describe('sources.stats-sweep', () => {
  const swarm = () => h.queues.get('swarm');
  const statsJobs = async () =>
    (await swarm().getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed'])).filter(
      (j) => j.name === 'sources.stats',
    );

  it('hands due sources out in batches of 200, oldest due first, each once while pending', async () => {
    await swarm().obliterate({ force: true });
    // Nothing else is due.
    await h.db.movieSource.updateMany({ data: { nextStatsCheckAt: new Date(Date.now() + 30 * DAY) } });
    const m = await movie();
    const t = Date.now();
    const due = await addSources([
      ...Array.from({ length: 3 }, () => ({ movieId: m.id, nextStatsCheckAt: null })),
      ...Array.from({ length: 447 }, (_, i) => ({
        movieId: m.id,
        nextStatsCheckAt: new Date(t - (i + 1) * 1000),
      })),
    ]);
    const later = await addSources(
      Array.from({ length: 5 }, () => ({ movieId: m.id, nextStatsCheckAt: new Date(t + HOUR) })),
    );

    const first = (await h.run('sources.stats-sweep', {})) as Record<string, number>;
    expect(first).toEqual({ due: 450, batches: 3, pending: 0, checkedMeanwhile: 0 });
    const jobs = await statsJobs();
    expect(jobs).toHaveLength(3);
    const batches = jobs.map((j) => j.data.sourceIds as number[]).sort((x, y) => y.length - x.length);
    expect(batches.map((ids) => ids.length)).toEqual([200, 200, 50]);
    const handed = batches.flat();
    expect(new Set(handed).size).toBe(450);
    expect([...handed].sort((x, y) => x - y)).toEqual(due.map((s) => s.id).sort((x, y) => x - y));
    for (const s of later) expect(handed).not.toContain(s.id);
    // Never checked first, then the longest overdue (the last ones added here).
    const firstBatch = jobs.find((j) => j.id!.startsWith(`source-stats.${due[0]!.id}.`))!;
    expect((firstBatch.data.sourceIds as number[]).slice(0, 4)).toEqual([
      due[0]!.id,
      due[1]!.id,
      due[2]!.id,
      due[449]!.id,
    ]);
    for (const j of jobs) expect(j.opts.priority).toBeGreaterThan(0);

    // A sweep while they wait adds nothing.
    const second = (await h.run('sources.stats-sweep', {})) as Record<string, number>;
    expect(second).toEqual({ due: 450, batches: 0, pending: 3, checkedMeanwhile: 0 });
    expect((await statsJobs()).map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());

    // A worker on the swarm queue runs them; then nothing is due, and a sweep hands out nothing.
    due.forEach((s, i) => a.setSwarm(s.hash, { complete: i % 7, incomplete: 1 }));
    const seen = a.scrapes().length;
    const worker = h.worker({ queue: 'swarm', concurrency: 3 });
    try {
      await waitFor(() => worker.completed.length === 3, { timeoutMs: 20_000 });
      expect(worker.failed).toEqual([]);
    } finally {
      await worker.close();
    }
    expect(
      await h.db.movieSource.count({ where: { id: { in: due.map((s) => s.id) }, lastStatsCheck: null } }),
    ).toBe(0);
    // Per batch, one HTTP request and ceil(n / 74) UDP ones.
    const made = a.scrapes().slice(seen);
    expect(
      made
        .filter((s) => s.protocol === 'http')
        .map((s) => s.hashes)
        .sort(),
    ).toEqual([200, 200, 50].sort());
    expect(made.filter((s) => s.protocol === 'udp')).toHaveLength(3 + 3 + 1);
    expect(await h.run('sources.stats-sweep', {})).toEqual({
      due: 0,
      batches: 0,
      pending: 0,
      checkedMeanwhile: 0,
    });
  });

  it('a batch whose job failed for good is handed out again', async () => {
    await swarm().obliterate({ force: true });
    await h.db.movieSource.updateMany({ data: { nextStatsCheckAt: new Date(Date.now() + 30 * DAY) } });
    const m = await movie();
    const due = await addSources([{ movieId: m.id, nextStatsCheckAt: new Date(Date.now() - MINUTE) }]);
    await h.run('sources.stats-sweep', {});
    const [job] = await statsJobs();
    expect(job!.data.sourceIds).toEqual([due[0]!.id]);
    // A worker that gives up on it for good.
    const failer = new Worker(
      'swarm',
      async () => {
        throw new UnrecoverableError('gave up');
      },
      { connection: h.redis, prefix: h.prefix },
    );
    try {
      await waitFor(async () => (await job!.getState()) === 'failed');
    } finally {
      await failer.close();
    }
    expect(await h.run('sources.stats-sweep', {})).toEqual({
      due: 1,
      batches: 1,
      pending: 0,
      checkedMeanwhile: 0,
    });
    const again = await statsJobs();
    expect(again).toHaveLength(1);
    expect(await again[0]!.getState()).not.toBe('failed');
    await swarm().obliterate({ force: true });
  });

  it('a batch that finishes while the sweep looks is not handed out again', async () => {
    await swarm().obliterate({ force: true });
    await h.db.movieSource.updateMany({ data: { nextStatsCheckAt: new Date(Date.now() + 30 * DAY) } });
    const m = await movie();
    const due = await addSources(
      Array.from({ length: 3 }, () => ({ movieId: m.id, nextStatsCheckAt: new Date(Date.now() - MINUTE) })),
    );
    due.forEach((s) => a.setSwarm(s.hash, { complete: 5, incomplete: 1 }));
    await h.run('sources.stats-sweep', {});
    const [job] = await statsJobs();
    // The next sweep reads the due sources, and before it looks at the queue the batch runs to the end.
    const runBatch = async () => {
      const worker = h.worker({ queue: 'swarm', concurrency: 1 });
      try {
        await waitFor(() => worker.completed.length === 1);
      } finally {
        await worker.close();
      }
    };
    let ran = false;
    const db = new Proxy(h.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== 'movieSource') return value;
        const delegate = value as typeof h.db.movieSource;
        return {
          ...delegate,
          findUnique: delegate.findUnique.bind(delegate),
          findMany: async (args: Parameters<typeof delegate.findMany>[0]) => {
            const rows = await delegate.findMany(args);
            if (!ran) {
              ran = true;
              await runBatch();
            }
            return rows;
          },
        };
      },
    });
    const result = await h.run('sources.stats-sweep', {}, { db });
    expect(ran).toBe(true);
    expect(result).toEqual({ due: 3, batches: 0, pending: 0, checkedMeanwhile: 1 });
    const jobs = await statsJobs();
    expect(jobs.map((j) => j.id)).toEqual([job!.id]);
    expect(await jobs[0]!.getState()).toBe('completed');
    for (const s of due) expect(await row(s.id)).toMatchObject({ seeds: 5, peers: 1 });
    await swarm().obliterate({ force: true });
  });

  it('hands out at most 5,000 sources a sweep', async () => {
    await swarm().obliterate({ force: true });
    await h.db.movieSource.updateMany({ data: { nextStatsCheckAt: new Date(Date.now() + 30 * DAY) } });
    const m = await movie();
    const t = Date.now() - HOUR;
    const due = await addSources(
      Array.from({ length: 5050 }, (_, i) => ({ movieId: m.id, nextStatsCheckAt: new Date(t + i) })),
    );
    expect(await h.run('sources.stats-sweep', {})).toEqual({
      due: 5000,
      batches: 25,
      pending: 0,
      checkedMeanwhile: 0,
    });
    const handed = (await statsJobs()).flatMap((j) => j.data.sourceIds as number[]);
    expect(handed).toHaveLength(5000);
    expect(new Set(handed).size).toBe(5000);
    // The 50 due last wait for a later sweep.
    for (const s of due.slice(5000)) expect(handed).not.toContain(s.id);
    await swarm().obliterate({ force: true });
    await h.db.movieSource.deleteMany({ where: { movieId: m.id } });
  });
});

describe('sources.resync', () => {
  it('drops long-dead sources only where the movie keeps a live one; makes stale stats due; rescores', async () => {
    const now = Date.now();
    const longDead = { deadSince: new Date(now - 15 * DAY), lastStatsCheck: new Date(now - HOUR) };
    const m1 = await movie();
    const m2 = await movie();
    const m3 = await movie();
    const m4 = await movie();
    const m5 = await movie();
    const [gone1, alive1] = await addSources([
      { movieId: m1.id, ...longDead },
      { movieId: m1.id, seeds: 9, lastStatsCheck: new Date(now - HOUR) },
    ]);
    // Every source of m2 has long been dead: it keeps them all.
    const allDead = await addSources([
      { movieId: m2.id, ...longDead },
      { movieId: m2.id, deadSince: new Date(now - 40 * DAY), lastStatsCheck: new Date(now - HOUR) },
    ]);
    // Dead, but not for long enough.
    const [recent] = await addSources([
      { movieId: m3.id, deadSince: new Date(now - 10 * DAY), lastStatsCheck: new Date(now - HOUR) },
      { movieId: m3.id, seeds: 3, lastStatsCheck: new Date(now - HOUR) },
    ]);
    const [gone4a, gone4b, alive4] = await addSources([
      { movieId: m4.id, ...longDead },
      { movieId: m4.id, ...longDead },
      { movieId: m4.id, seeds: 1, lastStatsCheck: new Date(now - HOUR) },
    ]);
    // A movie with one source, long dead.
    const [only] = await addSources([{ movieId: m5.id, deadSince: new Date(now - 60 * DAY) }]);

    // Stale stats: checked 8 days ago, next check far off (or already due an hour ago).
    const m6 = await movie();
    const [stale, staleDue, fresh] = await addSources([
      {
        movieId: m6.id,
        seeds: 50,
        peers: 5,
        score: 90,
        lastStatsCheck: new Date(now - 8 * DAY),
        nextStatsCheckAt: new Date(now + 2 * DAY),
      },
      {
        movieId: m6.id,
        seeds: 50,
        peers: 5,
        lastStatsCheck: new Date(now - 8 * DAY),
        nextStatsCheckAt: new Date(now - HOUR),
      },
      {
        movieId: m6.id,
        seeds: 50,
        peers: 5,
        score: 90,
        lastStatsCheck: new Date(now - 3 * DAY),
        nextStatsCheckAt: new Date(now + 2 * DAY),
      },
    ]);

    const t0 = Date.now();
    const result = (await h.run('sources.resync', {})) as Record<string, number>;
    const t1 = Date.now();
    expect(result.deleted).toBe(3);
    // Only `stale`: every other source here was created now or checked within days.
    expect(result.madeDue).toBe(1);
    expect(result.rescored).toBeGreaterThanOrEqual(2);
    expect(result.scanned).toBe(await h.db.movieSource.count());

    const exists = async (id: number) => (await h.db.movieSource.count({ where: { id } })) === 1;
    for (const s of [gone1!, gone4a!, gone4b!]) expect([s.id, await exists(s.id)]).toEqual([s.id, false]);
    for (const s of [alive1!, ...allDead, recent!, alive4!, only!])
      expect([s.id, await exists(s.id)]).toEqual([s.id, true]);
    for (const m of [m1, m2, m3, m4, m5])
      expect(await h.db.movieSource.count({ where: { movieId: m.id } })).toBeGreaterThan(0);

    const staleRow = await row(stale!.id);
    expect(staleRow.nextStatsCheckAt!.getTime()).toBeGreaterThanOrEqual(t0);
    expect(staleRow.nextStatsCheckAt!.getTime()).toBeLessThanOrEqual(t1);
    expect((await row(staleDue!.id)).nextStatsCheckAt!.getTime()).toBe(now - HOUR);
    expect((await row(fresh!.id)).nextStatsCheckAt!.getTime()).toBe(now + 2 * DAY);

    // Scores decayed with the age of their stats: 8 days old is at the floor, 3 days between.
    const score = (seeds: number, peers: number, at: Date, when: number) =>
      baseScore(
        { quality: '1080p', codec: 'x264', sizeBytes: Number(SIZE_1080P_110), seeds, peers, statsAt: at },
        110,
        new Date(when),
      );
    for (const [s, at] of [
      [stale!, new Date(now - 8 * DAY)],
      [fresh!, new Date(now - 3 * DAY)],
    ] as const) {
      const r = await row(s.id);
      expect(r.score).toBeLessThan(90);
      expect(r.score).toBeGreaterThanOrEqual(score(50, 5, at, t1));
      expect(r.score).toBeLessThanOrEqual(score(50, 5, at, t0));
    }
    expect((await row(stale!.id)).score).toBeLessThan((await row(fresh!.id)).score);

    // Run again: nothing left to drop, scores barely move.
    const again = (await h.run('sources.resync', {})) as Record<string, number>;
    expect(again.deleted).toBe(0);
  });
});

describe('needsVpn', () => {
  it('sources.stats is declared as needing the VPN and runs on the swarm queue; the sweeps do not', () => {
    expect(jobByName('sources.stats')).toMatchObject({ queue: 'swarm', needsVpn: true });
    for (const name of ['sources.stats-sweep', 'sources.resync']) {
      const def = jobByName(name)!;
      expect([name, def.queue, def.needsVpn ?? false]).toEqual([name, 'sources', false]);
    }
  });

  it('through a worker: no scrape while the VPN check fails; the job waits, then runs once it passes', async () => {
    const swarm = h.queues.get('swarm');
    await swarm.obliterate({ force: true });
    const m = await movie();
    const [s] = await addSources([{ movieId: m.id }]);
    a.setSwarm(s!.hash, { complete: 77, incomplete: 7 });
    let open = false;
    const seen = a.scrapes().length;
    const worker = h.worker({ queue: 'swarm', concurrency: 1, vpn: { isOpen: () => open } });
    try {
      const job = await h.queues.enqueue('sources.stats', { sourceIds: [s!.id] }, { jobId: `vpn-${s!.id}` });
      await waitFor(async () => (await job.getState()) === 'delayed');
      expect(a.scrapes().length).toBe(seen);
      expect(await row(s!.id)).toMatchObject({ seeds: 0, lastStatsCheck: null });
      open = true;
      await waitFor(() => worker.completed.some((c) => c.id === job.id), { timeoutMs: 20_000 });
      expect(worker.failed).toEqual([]);
      expect(await row(s!.id)).toMatchObject({ seeds: 77, peers: 7 });
      expect(a.scrapes().length).toBeGreaterThan(seen);
    } finally {
      await worker.close();
      await swarm.obliterate({ force: true });
    }
  });
});
