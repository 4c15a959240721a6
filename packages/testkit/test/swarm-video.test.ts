import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDemoVideo, mp4TopLevelBoxes, probeMedia } from '../src/index.js';

// Not skipped where ffmpeg is missing: as root (CI) makeDemoVideo installs Debian's ffmpeg first,
// elsewhere it fails saying how to install it.

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cinenest-video-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('makeDemoVideo', () => {
  it('makes a short H.264 + AAC MP4 with the moov box ahead of mdat', async () => {
    const path = await makeDemoVideo(dir, { seconds: 2 });
    expect(path).toBe(join(dir, 'cinenest-demo-720p-2s.mp4'));

    const probe = await probeMedia(path);
    expect(probe.format).toContain('mp4');
    expect(probe.durationSeconds).toBeCloseTo(2, 0);
    const video = probe.streams.find((s) => s.type === 'video');
    const audio = probe.streams.find((s) => s.type === 'audio');
    expect(video).toMatchObject({ codec: 'h264', width: 1280, height: 720, pixelFormat: 'yuv420p' });
    expect(audio).toMatchObject({ codec: 'aac', channels: 2 });

    const boxes = await mp4TopLevelBoxes(path);
    const types = boxes.map((b) => b.type);
    expect(types[0]).toBe('ftyp');
    expect(types).toContain('moov');
    expect(types).toContain('mdat');
    expect(types.indexOf('moov')).toBeLessThan(types.indexOf('mdat'));
    // The boxes cover the file exactly.
    const last = boxes.at(-1)!;
    expect(last.offset + last.size).toBe(statSync(path).size);
  }, 600_000); // the first run may install ffmpeg with apt-get

  it('reuses a valid file, and makes a broken one again, byte for byte the same', async () => {
    const options = { seconds: 2, width: 640, height: 360, fileName: 'small.mp4' };
    const path = await makeDemoVideo(dir, options);
    const made = statSync(path);
    const bytes = sha256(path);
    expect(await makeDemoVideo(dir, options)).toBe(path);
    expect(statSync(path).mtimeMs).toBe(made.mtimeMs);

    writeFileSync(path, 'not a video');
    await makeDemoVideo(dir, options);
    const remade = await probeMedia(path);
    expect(remade.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:aac', 'video:h264']);
    expect(remade.streams.find((s) => s.type === 'video')).toMatchObject({ width: 640, height: 360 });
    // The same bytes again: the demo's info-hashes stay the same when its video is made anew.
    expect(sha256(path)).toBe(bytes);
  }, 120_000);
});
