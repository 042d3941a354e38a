// Runs RecordJenkinsfiles.groovy over a directory of Jenkinsfiles, in one JVM, and reads back its records.
import { execFileSync, spawnSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const GROOVY_RUNNER = join(__dirname, 'RecordJenkinsfiles.groovy');

/** What the stub's `pwd(tmp: true)` answers, plus the `/keelson` the Jenkinsfile appends. */
export const STUB_KEELSON_DIR = '/home/jenkins/agent/workspace/job@tmp/keelson';

/** One step call as the stub received it; a GString argument arrives as `{gstring: text}`, a closure as `{closure: true}`. */
export interface GroovyCall {
  step: string;
  depth: number;
  args: any[];
}

export interface GroovyRecord {
  file: string;
  compiled: boolean;
  compileError: string | null;
  /** The rest is there when it compiled. FAILURE: error() outside catchError; CRASHED: any other exception. */
  result?: 'SUCCESS' | 'FAILURE' | 'CRASHED';
  error?: string | null;
  canary?: boolean;
  canaryCalls?: string[];
  calls?: GroovyCall[];
  /** The `script` of every `sh`, exactly as received. */
  sh?: unknown[];
}

export interface GroovyRun {
  /** GroovySystem.getVersion() of the JVM that ran them. */
  groovy: string;
  /** Inside the JVM, from start of the first compile to the last record. */
  millis: number;
  /** Including JVM start, as the caller waited. */
  wallMillis: number;
  records: Map<string, GroovyRecord>;
}

/** Writes `<name>.Jenkinsfile` and the parameters its build gets, ASCII only so any UTF-16 string survives. */
export function writeJenkinsfile(dir: string, name: string, jenkinsfile: string, params: Record<string, string>): void {
  writeFileSync(join(dir, `${name}.Jenkinsfile`), jenkinsfile);
  const json = JSON.stringify(params).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  writeFileSync(join(dir, `${name}.params.json`), json);
}

/** @throws when groovy is missing, fails, or stops before the last file (a Jenkinsfile that ended the JVM). */
export function recordJenkinsfiles(dir: string, timeoutMs = 600_000): GroovyRun {
  const started = Date.now();
  // C1 only: hundreds of short compiles finish sooner without waiting for the optimising JIT (about half the time).
  const env = {
    ...process.env,
    JAVA_HOME: process.env.JAVA_HOME ?? javaHomeOnPath(),
    JAVA_OPTS: `${process.env.JAVA_OPTS ?? ''} -XX:TieredStopAtLevel=1`.trim(),
  };
  const run = spawnSync('groovy', [GROOVY_RUNNER, dir], { encoding: 'utf8', env, timeout: timeoutMs, maxBuffer: 1 << 30 });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('groovy is not installed: `npm run setup` installs Debian\'s groovy (2.4.21) and default-jre-headless');
  }
  if (run.error) throw new Error(`groovy ${GROOVY_RUNNER} did not finish: ${run.error.message}`);
  if (run.status !== 0) {
    // Debian's groovy launcher reports a missing Java on stdout, so both streams are shown.
    throw new Error(`groovy ${GROOVY_RUNNER} exited with ${run.status}: ${run.stderr}${run.stdout.slice(-2000)}`);
  }
  const records = new Map<string, GroovyRecord>();
  let done: { done: true; files: number; groovy: string; millis: number } | undefined;
  for (const line of run.stdout.split('\n').filter((l) => l !== '')) {
    let parsed: any;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`the Groovy runner printed a line that is not its JSON (a Jenkinsfile wrote to stdout?): ${line.slice(0, 200)}`);
    }
    if (parsed.done === true) done = parsed;
    else records.set(parsed.file, parsed);
  }
  if (!done || done.files !== records.size) {
    throw new Error(`the Groovy runner stopped after ${records.size} files without its final line: ${run.stderr.slice(0, 2000)}`);
  }
  return { groovy: done.groovy, millis: done.millis, wallMillis: Date.now() - started, records };
}

/**
 * Debian's groovy launcher looks for /usr/lib/jvm/default-java unless JAVA_HOME is set, and that link comes only
 * with default-jre-headless; a machine whose `java` came from another package has none. The `java` on PATH decides.
 */
function javaHomeOnPath(): string | undefined {
  try {
    const java = execFileSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).trim();
    return java === '' ? undefined : dirname(dirname(realpathSync(java)));
  } catch {
    return undefined;
  }
}
