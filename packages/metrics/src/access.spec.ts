import { describe, expect, it } from '@jest/globals';
import { checkMetricsAccess, isInternalAddress, metricsAccessRule, type MetricsRequest } from './access.js';

const from = (remoteAddress: string | undefined, headers: Record<string, string> = {}): MetricsRequest => ({
  headers,
  socket: { remoteAddress },
});
const TOKEN = 'a-metrics-token-of-some-length';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('isInternalAddress', () => {
  it.each([
    '127.0.0.1',
    '127.3.2.1',
    '::1',
    '::ffff:127.0.0.1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.20',
    '169.254.10.10',
    '::ffff:10.0.0.5',
    '::FFFF:192.168.0.1',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
  ])('%s is internal', (address) => expect(isInternalAddress(address)).toBe(true));

  it.each([
    '8.8.8.8',
    '203.0.113.7',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '100.64.0.1',
    '::ffff:8.8.8.8',
    '2001:db8::1',
    'fec0::1',
    '::',
    '0.0.0.0',
    '',
    'localhost',
    'not an address',
    undefined,
  ])('%s is not internal', (address) => expect(isInternalAddress(address)).toBe(false));
});

describe('metricsAccessRule', () => {
  it('defaults to internal without a token, and to token with one', () => {
    expect(metricsAccessRule({}).mode).toBe('internal');
    expect(metricsAccessRule({ token: '' }).mode).toBe('internal');
    expect(metricsAccessRule({ token: TOKEN }).mode).toBe('token');
    expect(metricsAccessRule({ token: TOKEN, access: 'internal' }).mode).toBe('internal');
  });

  it('refuses token mode without a token', () => {
    expect(() => metricsAccessRule({ access: 'token' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('checkMetricsAccess', () => {
  it('internal: loopback and private peers only, by the socket address', () => {
    const rule = metricsAccessRule({ access: 'internal' });
    expect(checkMetricsAccess(rule, from('127.0.0.1'))).toEqual({ ok: true });
    expect(checkMetricsAccess(rule, from('::ffff:127.0.0.1'))).toEqual({ ok: true });
    expect(checkMetricsAccess(rule, from('172.18.0.4'))).toEqual({ ok: true });
    expect(checkMetricsAccess(rule, from('203.0.113.7'))).toMatchObject({ ok: false, status: 403 });
    expect(checkMetricsAccess(rule, from(undefined))).toMatchObject({ ok: false, status: 403 });
  });

  it('internal: a forged X-Forwarded-For does not make a public peer internal', () => {
    const rule = metricsAccessRule({});
    const forged = from('203.0.113.7', { 'x-forwarded-for': '127.0.0.1' });
    expect(checkMetricsAccess(rule, forged)).toMatchObject({ ok: false, status: 403 });
  });

  it('internal: a request relayed by a reverse proxy (forwarding headers) is refused, even from loopback', () => {
    const rule = metricsAccessRule({});
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip'])
      expect(checkMetricsAccess(rule, from('127.0.0.1', { [header]: '203.0.113.7' }))).toMatchObject({
        ok: false,
        status: 403,
      });
  });

  it('token: the Bearer token is required from anywhere, compared exactly', () => {
    const rule = metricsAccessRule({ token: TOKEN });
    expect(checkMetricsAccess(rule, from('203.0.113.7', bearer(TOKEN)))).toEqual({ ok: true });
    expect(checkMetricsAccess(rule, from('127.0.0.1'))).toMatchObject({ ok: false, status: 401 });
    expect(checkMetricsAccess(rule, from('127.0.0.1', bearer(`${TOKEN}x`)))).toMatchObject({ status: 401 });
    expect(checkMetricsAccess(rule, from('127.0.0.1', bearer('')))).toMatchObject({ status: 401 });
    expect(checkMetricsAccess(rule, from('127.0.0.1', { authorization: TOKEN }))).toMatchObject({
      status: 401,
    });
  });

  it('internal with a token: both the address and the token', () => {
    const rule = metricsAccessRule({ token: TOKEN, access: 'internal' });
    expect(checkMetricsAccess(rule, from('10.0.0.2', bearer(TOKEN)))).toEqual({ ok: true });
    expect(checkMetricsAccess(rule, from('10.0.0.2'))).toMatchObject({ status: 401 });
    expect(checkMetricsAccess(rule, from('8.8.8.8', bearer(TOKEN)))).toMatchObject({ status: 403 });
  });

  it('open: anyone, or anyone with the token when one is set', () => {
    expect(checkMetricsAccess(metricsAccessRule({ access: 'open' }), from('8.8.8.8'))).toEqual({ ok: true });
    const rule = metricsAccessRule({ token: TOKEN, access: 'open' });
    expect(checkMetricsAccess(rule, from('8.8.8.8'))).toMatchObject({ status: 401 });
    expect(checkMetricsAccess(rule, from('8.8.8.8', bearer(TOKEN)))).toEqual({ ok: true });
  });
});
