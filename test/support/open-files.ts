// Which files this process holds open, for the suites that check a start or a close let go of a ledger's files.
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** The files under `dir` this process holds open (Linux: its descriptors in /proc/self/fd). */
export const openFilesUnder = (dir: string): string[] =>
  readdirSync('/proc/self/fd')
    .map((fd) => {
      try {
        return readlinkSync(join('/proc/self/fd', fd));
      } catch {
        return ''; // closed meanwhile (the descriptor readdir itself used)
      }
    })
    .filter((file) => file.startsWith(dir + '/'));
