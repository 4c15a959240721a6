import type { MirrorBreakers } from './breaker.js';
import { YtsUnavailableError } from './errors.js';
import type { YtsAttempt } from './types.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RingOptions {
  mirrors: readonly string[];
  breakers: MirrorBreakers;
  /** How many times one call may walk the whole ring. */
  rounds: number;
  /** The wait before walking the ring again (round 1, 2, …). */
  backoff: (round: number) => number;
}

/** The mirror an attempt goes to. */
export interface Pick {
  index: number;
  mirror: string;
  probe: boolean;
}

/**
 * One call's walk over the mirror ring. It starts at the preferred mirror, the first in configured
 * order whose circuit admits a request (closed, or due for its probe), then goes on in order and wraps
 * around, skipping open circuits, each mirror once per round. After a round of failures it waits
 * (backoff) and walks again, at most `rounds` times. A mirror skipped at the start is looked at again
 * when the ring wraps around to it: if its open time is over by then, it is probed.
 */
export class FailoverCall {
  readonly attempts: YtsAttempt[] = [];
  /** The attempt in flight. */
  current?: Pick & { started: number };
  private start?: number;
  private step = 0;
  private triedThisRound = 0;
  /** Mirrors last seen open, with how long they stay so. */
  private readonly openFor = new Map<number, number>();

  constructor(
    readonly path: string,
    private readonly ring: RingOptions,
    /** Whether an answer's `data` is what this call expects. */
    readonly validate: (data: unknown) => boolean,
  ) {}

  /** Whether another attempt may follow a failure. */
  hasMore(): boolean {
    return this.step < this.ring.mirrors.length * this.ring.rounds;
  }

  /** The mirror for the next attempt; throws YtsUnavailableError when none is left. */
  async next(): Promise<Pick> {
    const n = this.ring.mirrors.length;
    if (this.start === undefined) {
      for (let i = 0; i < n; i++) {
        const pick = await this.tryMirror(i);
        if (pick) {
          this.start = i;
          this.step = 1;
          return pick;
        }
      }
      throw this.unavailable('all-open');
    }
    for (;;) {
      if (!this.hasMore()) throw this.unavailable(this.attempts.length ? 'all-failed' : 'all-open');
      if (this.step % n === 0) {
        // Back at the preferred mirror: a round is over. Nothing tried in it means every circuit is open.
        if (this.triedThisRound === 0) throw this.unavailable('all-open');
        this.triedThisRound = 0;
        await sleep(this.ring.backoff(this.step / n));
      }
      const index = (this.start + this.step) % n;
      this.step++;
      const pick = await this.tryMirror(index);
      if (pick) return pick;
    }
  }

  /** The request is leaving now (the rate limit let it go): its duration counts from here. */
  sending(): void {
    if (this.current) this.current.started = Date.now();
  }

  /** Records how the attempt in flight ended; undefined when none was in flight. */
  ended(outcome: string): (YtsAttempt & { index: number }) | undefined {
    const current = this.current;
    if (!current) return undefined;
    this.current = undefined;
    const attempt: YtsAttempt = {
      mirror: current.mirror,
      outcome,
      probe: current.probe,
      durationMs: Date.now() - current.started,
    };
    this.attempts.push(attempt);
    return { ...attempt, index: current.index };
  }

  /** Notes that the mirror is open for ms (seen at admission, or opened by this call's failure). */
  noteOpen(index: number, ms: number): void {
    this.openFor.set(index, ms);
  }

  /** The error that ends the call. */
  unavailable(reason: 'all-failed' | 'all-open', cause?: unknown): YtsUnavailableError {
    const everyOpen = this.openFor.size === this.ring.mirrors.length;
    const retryAfterMs = everyOpen ? Math.min(...this.openFor.values()) : undefined;
    const tried = this.attempts.map((a) => `${a.mirror} ${a.outcome}`).join(', ');
    const message =
      reason === 'all-open'
        ? `every YTS mirror's circuit is open (${this.path})${tried ? `; tried ${tried}` : ''}`
        : `no YTS mirror answered ${this.path}: ${tried}`;
    return new YtsUnavailableError(message, {
      path: this.path,
      reason,
      attempts: [...this.attempts],
      retryAfterMs,
      cause,
    });
  }

  private async tryMirror(index: number): Promise<Pick | undefined> {
    const gate = await this.ring.breakers.admit(index);
    if (!gate.admitted) {
      this.openFor.set(index, gate.retryInMs);
      return undefined;
    }
    this.openFor.delete(index);
    this.triedThisRound++;
    this.current = { index, mirror: this.ring.mirrors[index]!, probe: gate.probe, started: Date.now() };
    return this.current;
  }
}
