import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Who may read /metrics (METRICS_ACCESS):
 * - `token`: whoever sends `Authorization: Bearer <METRICS_TOKEN>`;
 * - `internal`: only loopback and private-network clients (and they too need the token when one is set);
 * - `open`: anyone (with the token, when one is set).
 */
export type MetricsAccessMode = 'token' | 'internal' | 'open';

export interface MetricsAccessSettings {
  /** METRICS_TOKEN: when set, every reader must send it as a Bearer token. */
  token?: string | undefined;
  /** METRICS_ACCESS; unset: `token` when a token is set, `internal` otherwise. */
  access?: MetricsAccessMode | undefined;
}

export interface MetricsAccessRule {
  mode: MetricsAccessMode;
  /** sha256 of the token, compared in constant time. */
  tokenDigest: Buffer | undefined;
}

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

const digest = (value: string) => createHash('sha256').update(value).digest();

export function metricsAccessRule(settings: MetricsAccessSettings): MetricsAccessRule {
  const token = settings.token || undefined;
  const mode = settings.access ?? (token ? 'token' : 'internal');
  if (mode === 'token' && !token) throw new RangeError('METRICS_ACCESS=token needs METRICS_TOKEN');
  return { mode, tokenDigest: token ? digest(token) : undefined };
}

const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4'); // loopback
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4'); // RFC 1918
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local
PRIVATE.addAddress('::1', 'ipv6'); // loopback
PRIVATE.addSubnet('fc00::', 7, 'ipv6'); // unique local
PRIVATE.addSubnet('fe80::', 10, 'ipv6'); // link-local

/**
 * Whether a socket's peer address is loopback, a private network (RFC 1918, fc00::/7) or link-local.
 * IPv4-mapped IPv6 addresses (::ffff:10.0.0.5, as a dual-stack server reports IPv4 peers) count as
 * their IPv4 address; a zone index (fe80::1%eth0) is ignored.
 */
export function isInternalAddress(address: string | undefined): boolean {
  if (!address) return false;
  let ip = address.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1]!;
  if (isIPv4(ip)) return PRIVATE.check(ip, 'ipv4');
  if (isIPv6(ip)) return PRIVATE.check(ip, 'ipv6');
  return false;
}

/** Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever its socket says. */
const FORWARDED = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

export interface MetricsRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

/**
 * Applies the rule to a request. The address is the TCP peer's (`req.socket.remoteAddress`), never
 * X-Forwarded-For, which any client can write. A request that went through a reverse proxy arrives
 * from the proxy's (usually private) address, so in `internal` mode a request carrying forwarding
 * headers is refused too: only direct scrapes from inside count as internal.
 */
export function checkMetricsAccess(rule: MetricsAccessRule, req: MetricsRequest): AccessVerdict {
  if (rule.mode === 'internal') {
    const forwarded = FORWARDED.some((h) => req.headers[h] !== undefined);
    if (forwarded || !isInternalAddress(req.socket.remoteAddress))
      return { ok: false, status: 403, message: 'Metrics are only served on the internal network' };
  }
  if (rule.tokenDigest) {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!given || !timingSafeEqual(digest(given), rule.tokenDigest))
      return { ok: false, status: 401, message: 'A valid metrics token is required' };
  }
  return { ok: true };
}
