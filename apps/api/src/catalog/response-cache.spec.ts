import { describe, expect, it } from '@jest/globals';
import { ResponseCache } from './response-cache.js';

const text = (body: { bytes: Buffer }) => body.bytes.toString();

describe('ResponseCache', () => {
  it('answers from memory only at the snapshot the answer was built at', async () => {
    const cache = new ResponseCache();
    let builds = 0;
    const build = async () => ({ body: { n: ++builds } });
    expect(text(await cache.get('k', '10:12:', build))).toBe('{"n":1}');
    expect(text(await cache.get('k', '10:12:', build))).toBe('{"n":1}');
    // Anything written since: built again.
    expect(text(await cache.get('k', '10:13:', build))).toBe('{"n":2}');
    expect(text(await cache.get('k', '10:13:', build))).toBe('{"n":2}');
    // A request that read an older snapshot does not get (or leave) a newer answer.
    expect(text(await cache.get('k', '10:12:', build))).toBe('{"n":3}');
    expect(text(await cache.get('k', '10:13:', build))).toBe('{"n":2}');
  });

  it('builds once for concurrent misses, keeps nothing when told, and drops what expires', async () => {
    const cache = new ResponseCache();
    let builds = 0;
    const slow = async () => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { body: builds };
    };
    await Promise.all([cache.get('a', 's:1:', slow), cache.get('a', 's:1:', slow)]);
    expect(builds).toBe(1);
    await cache.get('b', 's:1:', async () => ({ body: 1, keep: false }));
    expect(text(await cache.get('b', 's:1:', async () => ({ body: 2 })))).toBe('2');
    await cache.get('c', 's:1:', async () => ({ body: 1, until: Date.now() - 1 }));
    expect(text(await cache.get('c', 's:1:', async () => ({ body: 2 })))).toBe('2');
  });

  it('holds at most its size, least recently used out first', async () => {
    // Four answers of about 500 bytes fit, not five.
    const cache = new ResponseCache(2100);
    const body = (c: string) => async () => ({ body: c.repeat(500) });
    await cache.get('a', '1:2:', body('a'));
    await cache.get('b', '1:2:', body('b'));
    await cache.get('a', '1:2:', body('x'));
    await cache.get('c', '1:2:', body('c'));
    await cache.get('d', '1:2:', body('d'));
    await cache.get('e', '1:2:', body('e'));
    expect(cache.size).toBe(4);
    expect(text(await cache.get('a', '1:2:', body('y')))[1]).toBe('a');
    expect(text(await cache.get('b', '1:2:', body('z')))[1]).toBe('z');
  });
});
