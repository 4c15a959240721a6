import { describe, expect, it } from '@jest/globals';
import { budgetBytes, fits, reservationFor } from './budget.js';

const disk = { totalBytes: 1000, freeBytes: 600 };

describe('storage budget', () => {
  it('resolves a share of the disk or a byte count', () => {
    expect(budgetBytes({ percent: 50 }, disk)).toBe(500);
    expect(budgetBytes({ bytes: 123 }, disk)).toBe(123);
  });

  it('reserves every piece covering the file', () => {
    expect(reservationFor({ offset: 0, length: 100 }, 16)).toBe(112);
    expect(reservationFor({ offset: 10, length: 16 }, 16)).toBe(32);
    expect(reservationFor({ offset: 32, length: 16 }, 16)).toBe(16);
    expect(reservationFor({ offset: 5, length: 0 }, 16)).toBe(0);
  });

  it('fits within the budget and above the free-space floor', () => {
    const held = [{ reservedBytes: 300, bytesOnDisk: 100 }];
    expect(fits(200, held, 500, 0, disk)).toBe(true);
    expect(fits(201, held, 500, 0, disk)).toBe(false);
    // 200 still to write for the held torrent: 600 free − 100 floor leaves 300 for new bytes.
    expect(fits(150, held, 10_000, 100, disk)).toBe(true);
    expect(fits(301, held, 10_000, 100, disk)).toBe(false);
  });
});
