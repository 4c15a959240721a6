/**
 * What startSeeder() hands the seeder process, and the lines the process prints. The process reads
 * one JSON file named on its command line (or in SWARM_CONFIG) and speaks in lines on stdout:
 *
 *   seeder: listening 127.0.0.1:PORT (tcp, utp)
 *   seeder: seeding <infoHash> <name> (<bytes> bytes)
 *   seeder: ready {"host":"127.0.0.1","port":PORT,"infoHashes":[...],"utp":true}
 *   seeder: warning <text>
 *   seeder: failed <message>                  (then it exits with code 2)
 */

export interface SeederTorrentConfig {
  /** A .torrent file on disk. */
  torrentFile: string;
  /** The folder its files are in: a file's path inside the torrent is joined to it. */
  dir: string;
}

export interface SeederConfig {
  torrents: SeederTorrentConfig[];
  /** Announce URLs added to every torrent's own (deduplicated). */
  announce: string[];
  /** The TCP/uTP port on 127.0.0.1; 0: a free one. */
  port: number;
  /** Whether uTP is on besides TCP. */
  utp: boolean;
  /** Wait for a tracker to answer each torrent's announce before saying ready. */
  waitForAnnounce: boolean;
  /** How long verifying (and announcing) every torrent may take before the process gives up. */
  timeoutMs: number;
}

/** The environment variable naming the config file (when the command line does not). */
export const CONFIG_ENV = 'SWARM_CONFIG';

/** What follows "seeder: ready ". */
export interface SeederReady {
  host: string;
  port: number;
  /** Lower case, in the order of the config's torrents. */
  infoHashes: string[];
  utp: boolean;
}

/** Finds "seeder: ready {json}" in the process's output. */
export function readyLine(output: string): SeederReady | undefined {
  const at = output.match(/^seeder: ready (\{.*\})$/m);
  return at ? (JSON.parse(at[1]!) as SeederReady) : undefined;
}

/** Finds "seeder: failed <message>" in the process's output. */
export function failedLine(output: string): string | undefined {
  return output.match(/^seeder: failed (.*)$/m)?.[1];
}
