// A small reader of the manager's Dockerfile for the checks in dockerfile.spec.ts and the runtime-image test: no
// container runtime or hadolint runs here, so what the image must be is asserted on its instructions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** The rest of the instruction, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  name?: string;
  /** The FROM image, build arguments of the global scope substituted. */
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return; // a comment inside a continued instruction
    const body = line.endsWith('\\') ? line.slice(0, -1) : line;
    pending = pending ? { ...pending, text: `${pending.text} ${body}` } : { text: body, line: i + 1 };
    if (!line.endsWith('\\')) {
      const m = /^(\S+)\s*(.*)$/.exec(pending.text.trim())!;
      instructions.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: pending.line });
      pending = undefined;
    }
  });
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      const image = m[1].replace(/\$\{?(\w+)\}?/g, (_, name: string) => globalArgs[name] ?? `$${name}`);
      stages.push({ name: m[2], image, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === 'ARG') {
        const [name, value = ''] = ins.args.split('=');
        globalArgs[name] = value;
      }
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

export function readRepoDockerfile(root: string): Dockerfile {
  return parseDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
}

/** The files a COPY names (flags and destination removed), in order. */
export function copySources(ins: Instruction): { flags: string[]; sources: string[]; destination: string } {
  const words = ins.args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  return { flags, sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
}

/** ENTRYPOINT or CMD in exec form, as a list. */
export function execForm(ins: Instruction): string[] {
  const parsed: unknown = JSON.parse(ins.args);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) throw new Error(`line ${ins.line}: ${ins.keyword} is not in exec form`);
  return parsed;
}

/** Paths listed in scripts/runtime-image.files: what the runtime stage holds. */
export function runtimeImageFiles(root: string): string[] {
  return readFileSync(join(root, 'scripts', 'runtime-image.files'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** The manager's entry file, as the image's ENTRYPOINT starts it (relative to the image's WORKDIR). */
export const MANAGER_ENTRY = 'dist/apps/manager/src/main.js';
