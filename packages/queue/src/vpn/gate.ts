import type { Logger } from '@cinenest/logger';
import type { Redis } from 'ioredis';

export type VpnState = 'up' | 'down' | 'disabled' | 'unknown';

export interface VpnReport {
  state: VpnState;
  checkedAt: string | null;
  latencyMs: number | null;
  detail: string | null;
}

export interface VpnGateOptions {
  /** Answers 2xx while this egress is protected (e.g. gluetun's health endpoint). */
  url: string | null;
  /** DISABLE_VPN_CHECK=true (development): always open. Without it, no url keeps the gate closed. */
  disabled: boolean;
  intervalMs: number;
  timeoutMs?: number;
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
}

/** Where the last check of each process is kept, for the status page (any process may read it). */
export const vpnStateKey = (prefix: string) => `${prefix}:vpn:state`;

/**
 * Polls the VPN check every few seconds. Closed until the first check passes, and again as soon as
 * one fails (timeouts and refused connections included): jobs that reach trackers or peers wait
 * (see the worker's processor) and resume by themselves once it passes again.
 */
export class VpnGate {
  private report: VpnReport;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(state: VpnState) => void>();

  constructor(private readonly options: VpnGateOptions) {
    this.report = options.disabled
      ? { state: 'disabled', checkedAt: null, latencyMs: null, detail: 'DISABLE_VPN_CHECK=true' }
      : options.url
        ? { state: 'unknown', checkedAt: null, latencyMs: null, detail: null }
        : { state: 'down', checkedAt: null, latencyMs: null, detail: 'VPN_CHECK_URL is not set' };
  }

  get state(): VpnState {
    return this.report.state;
  }

  /** True while peer and tracker traffic is allowed. */
  isOpen(): boolean {
    return this.report.state === 'up' || this.report.state === 'disabled';
  }

  onChange(listener: (state: VpnState) => void): void {
    this.listeners.add(listener);
  }

  async start(): Promise<void> {
    await this.check();
    // Also when there is nothing to check: the published state expires, so it is published again.
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One check now; also what the interval runs. */
  async check(): Promise<VpnReport> {
    const { url, disabled, timeoutMs = 3000, logger } = this.options;
    if (disabled || !url) {
      await this.publish();
      return this.report;
    }
    const started = Date.now();
    let state: VpnState = 'down';
    let detail: string | null = null;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.text()).slice(0, 2000);
      // A JSON answer may say so explicitly ({"protected": false}); otherwise a 2xx means protected.
      let explicit: unknown;
      try {
        explicit = (JSON.parse(body) as { protected?: unknown }).protected;
      } catch {
        explicit = undefined;
      }
      state = res.ok && explicit !== false ? 'up' : 'down';
      if (state === 'down')
        detail = res.ok ? 'the check says this egress is not protected' : `HTTP ${res.status}`;
    } catch (err) {
      detail = err instanceof Error ? (err.name === 'TimeoutError' ? 'timed out' : err.message) : String(err);
    }
    const previous = this.report.state;
    this.report = { state, checkedAt: new Date().toISOString(), latencyMs: Date.now() - started, detail };
    if (previous !== state) {
      const log = state === 'up' ? logger.info.bind(logger) : logger.warn.bind(logger);
      log('VPN check changed', { from: previous, to: state, detail });
      for (const listener of this.listeners) listener(state);
    }
    await this.publish();
    return this.report;
  }

  private async publish(): Promise<void> {
    const ttl = Math.max(15, Math.ceil((this.options.intervalMs * 3) / 1000));
    await this.options.redis
      .set(vpnStateKey(this.options.keyPrefix), JSON.stringify(this.report), 'EX', ttl)
      .catch(() => undefined);
  }
}

/** The last published VPN state; 'unknown' when no worker has checked recently. */
export async function readVpnState(redis: Redis, keyPrefix: string): Promise<VpnReport> {
  const raw = await redis.get(vpnStateKey(keyPrefix));
  if (!raw) return { state: 'unknown', checkedAt: null, latencyMs: null, detail: 'no recent check' };
  return JSON.parse(raw) as VpnReport;
}
