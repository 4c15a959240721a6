import { describe, expect, it } from '@jest/globals';
import { SnapshotClock } from './db-snapshot.js';

/** A clock whose readings are answered by hand, in order. */
function manual() {
  const pending: Array<(s: string) => void> = [];
  let started = 0;
  const clock = new SnapshotClock(() => {
    started++;
    return new Promise<string>((resolve) => pending.push(resolve));
  }, 0);
  return { clock, pending, started: () => started };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('SnapshotClock', () => {
  it('gives a caller only a reading started after its call, one reading per batch of callers', async () => {
    const { clock, pending, started } = manual();
    const first = clock.now();
    expect(started()).toBe(1);
    // Arrived while the first reading runs: they wait for the next one, which they share.
    const second = clock.now();
    const third = clock.now();
    expect(started()).toBe(1);
    pending[0]!('a');
    expect(await first).toBe('a');
    await tick();
    expect(started()).toBe(2);
    pending[1]!('b');
    expect(await second).toBe('b');
    expect(await third).toBe('b');
    // Idle again: the next caller starts a reading at once.
    const fourth = clock.now();
    expect(started()).toBe(3);
    pending[2]!('c');
    expect(await fourth).toBe('c');
  });

  it('keeps going after a failed reading', async () => {
    let n = 0;
    const clock = new SnapshotClock(async () => {
      n++;
      if (n === 1) throw new Error('down');
      return `s${n}`;
    }, 0);
    const failed = clock.now();
    const next = clock.now();
    await expect(failed).rejects.toThrow('down');
    expect(await next).toBe('s2');
  });
});
