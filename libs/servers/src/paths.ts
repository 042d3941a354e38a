import { homedir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

/** Root of Keelson's machine-local state: built servers, local mode. Outside the repository on purpose. */
export function keelsonHome(): string {
  return process.env.KEELSON_HOME || join(homedir(), '.cache', 'keelson');
}

/** Where scripts/build-servers.sh puts the Go-built servers; KEELSON_SERVERS_BIN points elsewhere. */
export function serverBinDir(): string {
  return process.env.KEELSON_SERVERS_BIN || join(keelsonHome(), 'servers', 'bin');
}

// Built only for the tests (`npm test` asks for them), not by a plain setup that local mode runs.
const TEST_ONLY_SERVERS = new Set(['gitea', 'gitea-static', 'kubelet']);

/** Absolute path of a built server binary; fails with the command that builds it when it is missing. */
export function serverBinary(name: string): string {
  const path = join(serverBinDir(), name);
  if (!existsSync(path)) {
    const build = TEST_ONLY_SERVERS.has(name) ? 'bash scripts/setup.sh --test-servers' : 'npm run setup';
    throw new Error(`server binary ${name} not found at ${path}: run "${build}" to build it`);
  }
  return path;
}

/** Repository root, found from this file whether it runs from src (jest) or dist (compiled). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'crds'))) {
    const parent = join(dir, '..');
    if (parent === dir) throw new Error(`repository root not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
