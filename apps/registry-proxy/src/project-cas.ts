// Each project registry's CA, from the directory the DaemonSet mounts its ConfigMap at: one `<project>.crt` key
// per project, published by the manager when it provisions the data plane. The kubelet swaps the whole directory
// when the ConfigMap changes, so a file is read again once its cached copy is `ttlMs` old; a project with no file
// has no registry the proxy may reach.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProjectCas {
  /** The PEM CA of the project's registry, or undefined when the project has none published. */
  caOf(project: string): Promise<string | undefined>;
}

/** The file name of a project's CA in the ConfigMap (a valid ConfigMap key, since projects are DNS labels). */
export function caKeyOf(project: string): string {
  return `${project}.crt`;
}

const MAX_CA_BYTES = 64 * 1024;

export class DirectoryProjectCas implements ProjectCas {
  private readonly cache = new Map<string, { at: number; pem?: string }>();

  constructor(private readonly dir: string, private readonly ttlMs = 10_000, private readonly now: () => number = Date.now) {}

  async caOf(project: string): Promise<string | undefined> {
    const cached = this.cache.get(project);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.pem;
    let pem: string | undefined;
    try {
      const bytes = await readFile(join(this.dir, caKeyOf(project)));
      const text = bytes.length <= MAX_CA_BYTES ? bytes.toString('utf8') : '';
      pem = text.includes('-----BEGIN CERTIFICATE-----') ? text : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      pem = undefined;
    }
    // Bounded: at most one entry per project that was asked for, and projects are few (one per namespace).
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(project, { at: this.now(), pem });
    return pem;
  }
}
