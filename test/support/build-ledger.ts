// Every build the Jenkins double has shown since the ledger started, kept even after Jenkins forgets it (a restart
// that loses running builds, loseBuild): "exactly one build per execution" must count those too.
import type { DoubleBuild, JenkinsDouble } from '../doubles/jenkins/jenkins-double';

export interface LedgerBuild extends DoubleBuild {
  /** The build's EXECUTION_ID parameter. */
  executionId?: string;
  /** Jenkins stopped listing it while it was still running (a finished build that goes with its job is not lost). */
  lost: boolean;
  /** Jenkins no longer lists it. */
  gone: boolean;
}

export class BuildLedger {
  private readonly seen = new Map<string, LedgerBuild>();
  private readonly timer: NodeJS.Timeout;

  private constructor(private readonly jenkins: JenkinsDouble, intervalMs: number) {
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.poll();
  }

  /** Looks at the double every `intervalMs` (its builds() is synchronous and cheap). */
  static start(jenkins: JenkinsDouble, intervalMs = 50): BuildLedger {
    return new BuildLedger(jenkins, intervalMs);
  }

  /** Takes a look now (tests call it before counting). */
  poll(): void {
    const now = new Set<string>();
    for (const build of this.jenkins.builds()) {
      const key = `${build.instance}/${build.job}#${build.number}`;
      now.add(key);
      this.seen.set(key, { ...build, executionId: build.params.EXECUTION_ID, lost: false, gone: false });
    }
    for (const [key, build] of this.seen) {
      if (now.has(key) || build.gone) continue;
      build.gone = true;
      build.lost = build.result === null;
    }
  }

  /** Builds that ever carried this execution id. */
  buildsOf(executionId: string): LedgerBuild[] {
    this.poll();
    return [...this.seen.values()].filter((b) => b.executionId === executionId);
  }

  all(): LedgerBuild[] {
    this.poll();
    return [...this.seen.values()];
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
