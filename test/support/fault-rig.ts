// What every fault test stands on: the stack without its in-process manager, a ledger of every build the Jenkins
// double starts, a recorder of every phase each execution passes through, and managers as child processes
// whose logs go to one directory. stop() takes it all down, managers first.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiserverProxy } from '@keelson/servers';
import { BuildLedger } from './build-ledger';
import { KeelsonStack, type StackOptions } from './keelson-stack';
import { ManagerProcess } from './manager-process';
import { PhaseRecorder } from './phase-recorder';

export class FaultRig {
  private readonly managers: ManagerProcess[] = [];
  private readonly proxies: ApiserverProxy[] = [];

  private constructor(readonly stack: KeelsonStack, readonly ledger: BuildLedger, readonly recorder: PhaseRecorder, readonly logDir: string) {}

  /** `label` names the log directory (`keelson-<label>-*`, kept with KEELSON_KEEP_TEST_DIRS). */
  static async start(label: string, options: Omit<StackOptions, 'manager'> = {}): Promise<FaultRig> {
    const stack = await KeelsonStack.start({ ...options, manager: false });
    try {
      const recorder = await PhaseRecorder.start(stack.kube);
      return new FaultRig(stack, BuildLedger.start(stack.jenkins), recorder, mkdtempSync(join(tmpdir(), `keelson-${label}-`)));
    } catch (err) {
      await stack.stop();
      throw err;
    }
  }

  /** A manager child process against the stack, logging at info to `<logDir>/<name>.log`. */
  async startManager(name = 'manager', env: NodeJS.ProcessEnv = {}): Promise<ManagerProcess> {
    const manager = await ManagerProcess.start({ name, logDir: this.logDir, env: { ...this.stack.managerEnvironment(), LOG_LEVEL: 'info', ...env } });
    this.managers.push(manager);
    return manager;
  }

  /**
   * An HTTP proxy in front of the apiserver (faults by rule, counters of every exchange) and a kubeconfig with the
   * manager's identity through it, for `startManager(name, { KUBECONFIG })`. Stopped with the rig.
   */
  async apiserverProxy(name = 'proxied', seed?: number): Promise<{ proxy: ApiserverProxy; kubeconfig: string }> {
    const cp = this.stack.cluster.controlPlane;
    const proxy = await ApiserverProxy.start({ upstream: cp.server, caPem: cp.certs.caPem, certFile: cp.certs.certFile, keyFile: cp.certs.keyFile, seed });
    this.proxies.push(proxy);
    return { proxy, kubeconfig: proxy.writeKubeconfig(join(this.logDir, `${name}.kubeconfig`), cp.manager.token) };
  }

  async stopManagers(): Promise<void> {
    for (const manager of this.managers.splice(0)) await manager.stop();
  }

  async stop(): Promise<void> {
    await this.stopManagers();
    for (const proxy of this.proxies.splice(0)) await proxy.stop();
    this.ledger.stop();
    await this.recorder.stop();
    await this.stack.stop();
    if (!process.env.KEELSON_KEEP_TEST_DIRS) rmSync(this.logDir, { recursive: true, force: true });
  }
}
