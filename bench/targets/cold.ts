/**
 * Issue 14's cold-start targets: no server kept up between scenarios; each probe spawns its own
 * (scenarios/cold_start.ts) on SQLite under a data directory of the bench's.
 *
 * - cold_start: every start on a new, empty data directory (what the first `npm start` after a
 *   clone does: database created and migrated, key-encryption key and signing keys generated).
 * - cold_restart: every start on the same data directory, started once before untimed (what every
 *   later `npm start` does).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Measurement } from '../lib/load.ts';
import { coldStarts, type ColdStartSpec } from '../scenarios/cold_start.ts';

export interface ColdTarget {
  probes: { cold_start: () => Promise<Measurement>; cold_restart: () => Promise<Measurement> };
  close(): Promise<void>;
}

export function coldTarget(command: ColdStartSpec['command'], starts: number): ColdTarget {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cold-'));
    dirs.push(dir);
    return dir;
  };
  return {
    probes: {
      cold_start: () => coldStarts({ command, dataDir: newDir, starts }),
      cold_restart: async () => {
        const dir = newDir();
        await coldStarts({ command, dataDir: () => dir, starts: 1 });
        return coldStarts({ command, dataDir: () => dir, starts });
      },
    },
    async close() {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
