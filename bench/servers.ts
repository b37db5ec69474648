import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Env } from '../helpers/env';

const SERVERS_FILE = path.join(__dirname, 'servers.json');

const BenchServers = z.record(
  z.string(),
  z.object({ portOffset: z.int().positive(), settings: z.record(z.string(), z.string()) }),
);
export type BenchServers = z.infer<typeof BenchServers>;

/**
 * The embedded API instances the benchmarks start beside the suite's, each with settings of its own, so
 * that an API started by hand (whatever its settings) is never measured instead: those of
 * `bench/servers.json`, which goes with the demo (`npm run adopt`). None without it.
 */
export function benchServers(): BenchServers {
  return existsSync(SERVERS_FILE) ? BenchServers.parse(JSON.parse(readFileSync(SERVERS_FILE, 'utf8'))) : {};
}

/** Where a bench server listens: after the embedded API's port (the replay add-on takes the next one). */
export function benchServerPort(env: Env, name: string): number | undefined {
  const server = benchServers()[name];
  return env.embeddedApi && server && env.embeddedApi.port + server.portOffset;
}
