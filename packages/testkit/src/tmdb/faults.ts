import { unit } from './prng.js';

export type FaultKind = 'rate-limit' | 'server-error' | 'slow' | 'bad-json' | 'reset' | 'none';

export interface FaultOptions {
  /** Share of matching requests that fault, 0..1 (default 1). */
  probability?: number;
  /** Only the next N faults happen, then the stand-in is healthy again. */
  count?: number;
  /** Seconds, sent as Retry-After with a 429 (default 1). */
  retryAfter?: number;
  /** How long a 'slow' answer waits (default 2000 ms). */
  delayMs?: number;
  /** Only requests whose path (relative to /3, e.g. /movie/1000) matches. */
  paths?: RegExp;
}

export type Fault =
  | { kind: 'rate-limit'; retryAfter: number }
  | { kind: 'server-error'; status: 500 | 502 | 503 }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'bad-json' }
  | { kind: 'reset' };

interface Rule {
  kind: Exclude<FaultKind, 'none'>;
  probability: number;
  remaining: number;
  retryAfter: number;
  delayMs: number;
  paths?: RegExp;
  epoch: number;
}

const SERVER_ERRORS = [500, 502, 503] as const;

/**
 * The one active fault rule (each fault() call replaces it; 'none' clears it). Whether a request
 * faults under a probability is drawn from (seed, rule, request, how many times that request was
 * seen): the same test run faults the same way whatever the interleaving of concurrent requests.
 */
export class Faults {
  private rule?: Rule;
  private epoch = 0;
  private serverErrors = 0;
  private readonly seen = new Map<string, number>();

  constructor(private readonly seed: number) {}

  set(kind: FaultKind, options: FaultOptions = {}): void {
    this.seen.clear();
    this.epoch++;
    if (kind === 'none') {
      this.rule = undefined;
      return;
    }
    const probability = options.probability ?? 1;
    if (probability < 0 || probability > 1) throw new RangeError('probability must be within 0..1');
    this.rule = {
      kind,
      probability,
      remaining: options.count ?? Infinity,
      retryAfter: options.retryAfter ?? 1,
      delayMs: options.delayMs ?? 2000,
      paths: options.paths,
      epoch: this.epoch,
    };
  }

  /** The fault this request meets, if any. `request` is its path and query. */
  decide(path: string, request: string): Fault | undefined {
    const rule = this.rule;
    if (!rule || rule.remaining <= 0) return undefined;
    if (rule.paths) {
      rule.paths.lastIndex = 0;
      if (!rule.paths.test(path)) return undefined;
    }
    if (rule.probability < 1) {
      const n = this.seen.get(request) ?? 0;
      this.seen.set(request, n + 1);
      if (unit(`${this.seed}:fault:${rule.epoch}:${request}:${n}`) >= rule.probability) return undefined;
    }
    rule.remaining--;
    switch (rule.kind) {
      case 'rate-limit':
        return { kind: 'rate-limit', retryAfter: rule.retryAfter };
      case 'server-error':
        return { kind: 'server-error', status: SERVER_ERRORS[this.serverErrors++ % SERVER_ERRORS.length]! };
      case 'slow':
        return { kind: 'slow', delayMs: rule.delayMs };
      case 'bad-json':
        return { kind: 'bad-json' };
      case 'reset':
        return { kind: 'reset' };
    }
  }
}
