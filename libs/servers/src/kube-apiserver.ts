import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServingCerts } from './certs';
import { freePort } from './free-port';
import { probe } from './http-probe';
import { ManagedProcess } from './managed-process';
import { serverBinary } from './paths';
import { waitFor } from './wait-for';

/** A user of the static token file. */
export interface TokenUser {
  name: string;
  token: string;
  groups: string[];
}

export interface KubeApiserverOptions {
  dir: string;
  etcdUrl: string;
  certs: ServingCerts;
  users: TokenUser[];
  /** Off sends watches straight to etcd, so an etcd compaction makes a stale watch answer 410 Gone. */
  watchCache?: boolean;
  /** Write an audit log (JSON lines, level Metadata, one event per finished request) of these users' requests. */
  audit?: AuditLogOptions;
  /** A structured AuthenticationConfiguration (YAML), e.g. a JWT authenticator trusting an OIDC issuer; beside the static tokens. */
  authenticationConfig?: string;
}

export interface AuditLogOptions {
  /** The log file. */
  path: string;
  /** User names to record; every user when absent. */
  users?: string[];
}

/** The audit policy: Metadata (who, verb, resource, name, response code) for the chosen users, nothing else. */
export function auditPolicyYaml(users?: string[]): string {
  const who = users ? `\n    users: [${users.map((u) => JSON.stringify(u)).join(', ')}]` : '';
  return `apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata${who}\n  - level: None\n`;
}

export function randomToken(): string {
  return randomBytes(24).toString('hex');
}

/** kube-apiserver with TLS, a static token file and RBAC, restartable on the same port. */
export class KubeApiserver {
  private proc?: ManagedProcess;
  private port = 0;

  constructor(private readonly opts: KubeApiserverOptions) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get process(): ManagedProcess | undefined {
    return this.proc;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const { dir, certs, users, audit } = this.opts;
    const tokenFile = join(dir, 'tokens.csv');
    const auditPolicy = join(dir, 'audit-policy.yaml');
    if (audit) writeFileSync(auditPolicy, auditPolicyYaml(audit.users));
    const authenticationConfig = join(dir, 'authentication-config.yaml');
    if (this.opts.authenticationConfig) writeFileSync(authenticationConfig, this.opts.authenticationConfig);
    writeFileSync(tokenFile, users.map((u) => `${u.token},${u.name},${u.name},"${u.groups.join(',')}"`).join('\n') + '\n');
    this.proc = new ManagedProcess({
      name: 'kube-apiserver', command: serverBinary('kube-apiserver'), logDir: dir,
      args: [
        '--etcd-servers', this.opts.etcdUrl,
        '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(this.port),
        '--tls-cert-file', certs.certFile, '--tls-private-key-file', certs.keyFile,
        '--client-ca-file', certs.caFile,
        '--service-account-issuer', 'https://kubernetes.default.svc',
        '--service-account-key-file', certs.serviceAccountPubFile,
        '--service-account-signing-key-file', certs.serviceAccountKeyFile,
        '--token-auth-file', tokenFile,
        ...(this.opts.authenticationConfig ? ['--authentication-config', authenticationConfig] : []),
        '--authorization-mode', 'RBAC',
        '--service-cluster-ip-range', '10.96.0.0/16',
        // The kubernetes Service cannot point at a loopback address, so do not try.
        '--endpoint-reconciler-type', 'none',
        // As in real clusters (kubeadm, k3s, kind): privileged pods pass validation, so Pod Security decides.
        '--allow-privileged=true',
        `--watch-cache=${this.opts.watchCache ?? true}`,
        // Blocking: an event is written before the response goes out, so a test reads every request it made.
        ...(audit ? ['--audit-policy-file', auditPolicy, '--audit-log-path', audit.path, '--audit-log-format', 'json', '--audit-log-mode', 'blocking', '--audit-log-maxsize', '0'] : []),
        '--v', '1',
      ],
    }).start();
    const admin = this.opts.users.find((u) => u.groups.includes('system:masters'));
    await waitFor('kube-apiserver /readyz', async () => {
      if (!this.proc!.alive) throw new Error('kube-apiserver exited');
      return (await probe(`${this.url}/readyz`, { ca: certs.caPem, token: admin?.token })) === 200;
    }, { timeoutMs: 60_000, onTimeout: () => this.proc!.tail() });
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}
