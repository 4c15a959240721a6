import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';

/** A real, playable demo video made with ffmpeg (Debian's package, installed when missing and we are root). */

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

export interface FfmpegOptions {
  /** Install Debian's ffmpeg with apt-get when it is missing and we are root (default true). */
  install?: boolean;
  /** Progress lines ("installing ffmpeg…"); default none. */
  log?: (line: string) => void;
}

export interface MediaStream {
  type: string;
  codec: string;
  width?: number;
  height?: number;
  pixelFormat?: string;
  sampleRate?: number;
  channels?: number;
}

export interface MediaProbe {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  format: string;
  durationSeconds: number;
  sizeBytes: number;
  streams: MediaStream[];
}

/** An MP4 (ISO BMFF) top-level box. */
export interface Mp4Box {
  type: string;
  offset: number;
  size: number;
}

export interface DemoVideoOptions extends FfmpegOptions {
  /** Default 60. */
  seconds?: number;
  /** Default 1280 x 720. */
  width?: number;
  height?: number;
  /** Default 25. */
  fps?: number;
  /** Default "cinenest-demo-<height>p-<seconds>s.mp4". */
  fileName?: string;
  /** How long ffmpeg may take (default 10 minutes). */
  timeoutMs?: number;
}

interface RunResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; kills it (SIGKILL) when it outlives timeoutMs. */
function run(
  cmd: string,
  args: string[],
  { timeoutMs, env = process.env }: { timeoutMs: number; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) fail(new Error(`${cmd} ${args.join(' ')} took longer than ${timeoutMs} ms`));
      else done({ code: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

const tail = (text: string, chars = 2000) => (text.length > chars ? `…${text.slice(-chars)}` : text).trim();

/** The program's path when it is an executable on PATH. */
export function which(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const HOW_TO_INSTALL =
  'install it with `sudo apt-get install --no-install-recommends ffmpeg` (Debian, Ubuntu), ' +
  '`brew install ffmpeg` (macOS) or your system package manager; ffprobe comes with it';

async function aptInstallFfmpeg(log: (line: string) => void): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt-get at work (a second test worker, the CI image) is waited for, not failed on.
  const lock = ['-o', 'DPkg::Lock::Timeout=300'];
  const install = () =>
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...lock, 'ffmpeg'], {
      env,
      timeoutMs: 15 * 60_000,
    });
  log('ffmpeg is missing: installing Debian’s ffmpeg with apt-get');
  let result = await install();
  if (result.code !== 0) {
    log('apt-get install ffmpeg failed; running apt-get update first');
    const update = await run('apt-get', ['update', '-q', ...lock], { env, timeoutMs: 10 * 60_000 });
    if (update.code !== 0)
      throw new Error(`apt-get update failed (${update.code}): ${tail(update.stderr || update.stdout)}`);
    result = await install();
  }
  if (result.code !== 0)
    throw new Error(
      `apt-get install ffmpeg failed (${result.code}): ${tail(result.stderr || result.stdout)}`,
    );
}

let installing: Promise<void> | undefined;

/** ffmpeg and ffprobe from PATH; when missing and we are root on Debian, apt-get installs them. */
export async function ensureFfmpeg(options: FfmpegOptions = {}): Promise<FfmpegTools> {
  const found = () => {
    const ffmpeg = which('ffmpeg');
    const ffprobe = which('ffprobe');
    return ffmpeg && ffprobe ? { ffmpeg, ffprobe } : undefined;
  };
  const present = found();
  if (present) return present;
  const isRoot = process.getuid?.() === 0;
  if (options.install === false || !isRoot || !which('apt-get'))
    throw new Error(`ffmpeg (with ffprobe) is not installed: ${HOW_TO_INSTALL}`);
  installing ??= aptInstallFfmpeg(options.log ?? (() => undefined)).finally(() => (installing = undefined));
  await installing;
  const installed = found();
  if (!installed) throw new Error('ffmpeg or ffprobe is still not on PATH after apt-get install ffmpeg');
  return installed;
}

/** What ffprobe says about a media file. */
export async function probeMedia(path: string, ffprobe = which('ffprobe')): Promise<MediaProbe> {
  if (!ffprobe) throw new Error(`ffprobe is not installed: ${HOW_TO_INSTALL}`);
  const result = await run(
    ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path],
    { timeoutMs: 30_000 },
  );
  if (result.code !== 0) throw new Error(`ffprobe ${path} failed: ${tail(result.stderr)}`);
  const json = JSON.parse(result.stdout) as {
    format?: { format_name?: string; duration?: string; size?: string };
    streams?: Array<Record<string, unknown>>;
  };
  const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
  return {
    format: json.format?.format_name ?? '',
    durationSeconds: Number(json.format?.duration ?? NaN),
    sizeBytes: Number(json.format?.size ?? NaN),
    streams: (json.streams ?? []).map((s) => ({
      type: String(s.codec_type ?? ''),
      codec: String(s.codec_name ?? ''),
      width: num(s.width),
      height: num(s.height),
      pixelFormat: s.pix_fmt === undefined ? undefined : String(s.pix_fmt),
      sampleRate: num(s.sample_rate),
      channels: num(s.channels),
    })),
  };
}

/** The top-level boxes of an MP4 file, in order (reads only their headers). */
export async function mp4TopLevelBoxes(path: string): Promise<Mp4Box[]> {
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const boxes: Mp4Box[] = [];
    const header = Buffer.alloc(16);
    for (let offset = 0; offset < fileSize;) {
      const { bytesRead } = await file.read(header, 0, 16, offset);
      if (bytesRead < 8) throw new Error(`${path}: a box header is cut at ${offset}`);
      let size = header.readUInt32BE(0);
      const type = header.toString('latin1', 4, 8);
      if (size === 1) {
        if (bytesRead < 16) throw new Error(`${path}: a 64-bit box size is cut at ${offset}`);
        size = Number(header.readBigUInt64BE(8));
      } else if (size === 0) size = fileSize - offset; // the box runs to the end of the file
      if (size < 8 || offset + size > fileSize)
        throw new Error(`${path}: the ${JSON.stringify(type)} box at ${offset} has a bad size ${size}`);
      boxes.push({ type, offset, size });
      offset += size;
    }
    return boxes;
  } finally {
    await file.close();
  }
}

/** Why this file is not the demo video asked for, or undefined when it is. ffprobe is optional here. */
async function problemWith(
  path: string,
  want: { seconds: number; width: number; height: number },
  ffprobe: string | undefined,
): Promise<string | undefined> {
  try {
    const types = (await mp4TopLevelBoxes(path)).map((b) => b.type);
    if (types[0] !== 'ftyp') return `it does not start with an ftyp box (${types.join(', ')})`;
    const moov = types.indexOf('moov');
    const mdat = types.indexOf('mdat');
    if (moov < 0 || mdat < 0 || moov > mdat)
      return `its moov box does not precede mdat (${types.join(', ')})`;
    if (!ffprobe) return undefined;
    const probe = await probeMedia(path, ffprobe);
    const video = probe.streams.find((s) => s.type === 'video');
    const audio = probe.streams.find((s) => s.type === 'audio');
    if (video?.codec !== 'h264' || audio?.codec !== 'aac')
      return `its codecs are ${video?.codec ?? 'none'}/${audio?.codec ?? 'none'}, not h264/aac`;
    if (video.width !== want.width || video.height !== want.height)
      return `it is ${video.width}x${video.height}, not ${want.width}x${want.height}`;
    if (video.pixelFormat !== 'yuv420p') return `its pixel format is ${video.pixelFormat}`;
    if (!(Math.abs(probe.durationSeconds - want.seconds) <= 0.5))
      return `it lasts ${probe.durationSeconds} s, not ${want.seconds} s`;
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A bold sans-serif font file for the burnt-in text, when the system has one at a plain path. */
function fontFile(): string | undefined {
  const candidates = [
    '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
    '/usr/share/fonts/truetype/freefont/FreeSansBold.ttf',
    '/Library/Fonts/Arial.ttf',
  ];
  // The path goes into a filter graph unquoted: only plain characters.
  return candidates.find((f) => /^[\w./-]+$/.test(f) && existsSync(f));
}

/** The video filter: the test pattern (it has a clock of its own), a title, and a big running clock. */
function videoFilter(o: { width: number; height: number; fps: number; seconds: number }): string {
  const source = `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}:duration=${o.seconds}`;
  const font = fontFile();
  if (!font) return `${source},format=yuv420p`;
  const big = Math.round(o.height / 9);
  const small = Math.round(o.height / 20);
  const box = `box=1:boxcolor=black@0.6:boxborderw=${Math.round(small / 2)}:fontcolor=white:fontfile=${font}`;
  const title = `drawtext=${box}:fontsize=${small}:x=(w-text_w)/2:y=h/12:text='CINENEST DEMO  ${o.width}x${o.height}  H.264 + AAC'`;
  const clock = `drawtext=${box}:fontsize=${big}:x=(w-text_w)/2:y=h-h/4:text='%{pts\\:hms}'`;
  const frame = `drawtext=${box}:fontsize=${small}:x=w/20:y=h-h/4+${big - small}:text='frame %{n}'`;
  return `${source},${title},${clock},${frame},format=yuv420p`;
}

/**
 * A real, playable MP4 in `folder`: H.264 (yuv420p, High profile, a keyframe every 2 s) and AAC
 * stereo, moov box at the front (`-movflags +faststart`), ffmpeg's moving test pattern with a
 * burnt-in title and running clock, and a 440 Hz tone that beeps every second — about 15 MB a
 * minute at 1280x720. Resolves with its path. A file already there that is what was asked for
 * (codecs, size, duration, moov before mdat) is reused; otherwise it is made again (written aside
 * and renamed into place, so a reader never sees half a file).
 */
export async function makeDemoVideo(folder: string, options: DemoVideoOptions = {}): Promise<string> {
  const seconds = options.seconds ?? 60;
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const fps = options.fps ?? 25;
  if (!(seconds > 0 && seconds <= 3600)) throw new RangeError(`seconds must be within (0, 3600]: ${seconds}`);
  if (!(
    width % 2 === 0 &&
    height % 2 === 0 &&
    width >= 64 &&
    height >= 64 &&
    width <= 3840 &&
    height <= 2160
  ))
    throw new RangeError(`not a usable even frame size: ${width}x${height}`);
  const dir = resolve(folder);
  const path = join(dir, options.fileName ?? `cinenest-demo-${height}p-${seconds}s.mp4`);
  const want = { seconds, width, height };

  if (existsSync(path) && (await problemWith(path, want, which('ffprobe'))) === undefined) return path;

  const { ffmpeg, ffprobe } = await ensureFfmpeg(options);
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `.${process.pid}.${Date.now()}.partial.mp4`);
  // kbit/s: 1800 at 720p25. One encoder thread: x264's rate control gives other bytes on every run
  // when threaded, and the same bytes (so the same info-hashes) from one thread, for a few seconds more.
  const bitrate = Math.max(300, Math.round((width * height * fps) / 12_800));
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'],
    ...['-f', 'lavfi', '-i', videoFilter({ width, height, fps, seconds })],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:beep_factor=2:sample_rate=48000:duration=${seconds}`],
    ...['-map', '0:v', '-map', '1:a'],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p'],
    ...['-b:v', `${bitrate}k`, '-maxrate', `${Math.round(bitrate * 1.4)}k`, '-bufsize', `${bitrate * 3}k`],
    ...['-threads', '1'],
    ...['-g', String(fps * 2), '-keyint_min', String(fps * 2), '-sc_threshold', '0'],
    ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2'],
    ...['-movflags', '+faststart', '-shortest', '-metadata', 'title=Cinenest demo', '-f', 'mp4', partial],
  ];
  try {
    options.log?.(`making the demo video (${width}x${height}, ${seconds} s) with ffmpeg`);
    const result = await run(ffmpeg, args, { timeoutMs: options.timeoutMs ?? 10 * 60_000 });
    if (result.code !== 0) throw new Error(`ffmpeg failed (${result.code}): ${tail(result.stderr)}`);
    const problem = await problemWith(partial, want, ffprobe);
    if (problem) throw new Error(`ffmpeg made a video that is not right: ${problem}`);
    await rename(partial, path);
  } finally {
    await rm(partial, { force: true });
  }
  options.log?.(`demo video ready: ${(await stat(path)).size} bytes`);
  return path;
}
