import { extname } from 'node:path';

/** What a player can play, with the Content-Type it expects. */
const VIDEO_TYPES: Record<string, string> = {
  mp4: 'video/mp4',
  mkv: 'video/x-matroska',
  avi: 'video/x-msvideo',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  ts: 'video/mp2t',
};

/** Extensions of a torrent's playable files: the main file is the largest of these. */
export const VIDEO_EXTENSIONS = Object.keys(VIDEO_TYPES);

const extensionOf = (name: string) => extname(name).slice(1).toLowerCase();

export function isVideoFile(name: string): boolean {
  return extensionOf(name) in VIDEO_TYPES;
}

/** The file a player should open: the largest with a video extension, else the largest of all. */
export function mainFileIndex(files: ReadonlyArray<{ name: string; length: number }>): number {
  let best = -1;
  let bestIsVideo = false;
  files.forEach((f, i) => {
    const video = isVideoFile(f.name);
    const current = files[best];
    if (!current || (video && !bestIsVideo) || (video === bestIsVideo && f.length > current.length)) {
      best = i;
      bestIsVideo = video;
    }
  });
  return best;
}

/** The Content-Type a player expects for a file name. */
export function contentTypeOf(fileName: string): string {
  return VIDEO_TYPES[extensionOf(fileName)] ?? 'application/octet-stream';
}
