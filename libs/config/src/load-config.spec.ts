import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig, MANAGER_VARIABLES } from '.';

describe('loadConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const config = loadConfig(MANAGER_VARIABLES, {});
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', redisPrefix: 'keelson', roles: ['api', 'webhooks', 'controllers', 'workers'] });
    expect(config.kubeconfig).toBeUndefined();
  });

  it('parses what is set', () => {
    const config = loadConfig(MANAGER_VARIABLES, { PORT: '9090', ROLES: 'api, workers', WATCH_NAMESPACE: 'demo', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ port: 9090, roles: ['api', 'workers'], watchNamespace: 'demo', logLevel: 'debug' });
  });

  it('reports every bad variable at once, naming each and what was expected', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(MANAGER_VARIABLES, { PORT: '99999', ROLES: 'api,janitor', LOG_LEVEL: 'loud', WATCH_NAMESPACE: 'Not_A_Label' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.env)).toEqual(['PORT', 'LOG_LEVEL', 'ROLES', 'WATCH_NAMESPACE']);
    expect(error!.message).toContain('PORT: expected a port number between 1 and 65535 (got "99999")');
    expect(error!.message).toContain('got janitor');
  });

  it('takes the operator\'s build and outbound knobs, and refuses a cache root or range that could mean anything', () => {
    const config = loadConfig(MANAGER_VARIABLES, {
      CACHE_ROOT: '/srv/keelson/cache/', PRIVILEGED_BUILD_PROJECTS: 'team-a, team-b', OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8, fd00::/8',
    });
    expect(config).toMatchObject({
      cacheRoot: '/srv/keelson/cache', privilegedBuildProjects: ['team-a', 'team-b'], outboundAllowHttp: true, outboundAllowCidrs: ['127.0.0.0/8', 'fd00::/8'],
    });
    expect(loadConfig(MANAGER_VARIABLES, {})).toMatchObject({ cacheRoot: '/var/lib/keelson/cache', privilegedBuildProjects: [], outboundAllowHttp: false, outboundAllowCidrs: [] });
    for (const [env, raw] of [['CACHE_ROOT', '/'], ['CACHE_ROOT', 'relative/dir'], ['CACHE_ROOT', '/var/../etc'], ['CACHE_ROOT', '/var//lib'],
      ['PRIVILEGED_BUILD_PROJECTS', 'Team_A'], ['OUTBOUND_ALLOW_CIDRS', '10.0.0.0'], ['OUTBOUND_ALLOW_CIDRS', '10.0.0.0/33'], ['OUTBOUND_ALLOW_CIDRS', 'example.com/8']]) {
      expect(() => loadConfig(MANAGER_VARIABLES, { [env]: raw })).toThrow(new RegExp(`^\\s*${env}: expected`, 'm'));
    }
  });

  it('takes the operator\'s images of the agent and Keelson\'s steps, and refuses what is not an image reference', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(loadConfig(MANAGER_VARIABLES, {
      BUILD_AGENT_IMAGE: 'mirror.example.com:5000/jenkins/inbound-agent:3345.v03dee9b_f88fc-1', BUILD_BUILDER_IMAGE: `gcr.io/kaniko-project/executor@${digest}`,
      BUILD_TOOLS_IMAGE: 'localhost/keelson/tools:1',
    })).toMatchObject({
      buildAgentImage: 'mirror.example.com:5000/jenkins/inbound-agent:3345.v03dee9b_f88fc-1', buildBuilderImage: `gcr.io/kaniko-project/executor@${digest}`,
      buildToolsImage: 'localhost/keelson/tools:1',
    });
    expect(loadConfig(MANAGER_VARIABLES, {}).buildAgentImage).toBeUndefined();
    for (const raw of ['Jenkins/Agent', 'agent:1 --privileged', 'agent:1\nkind: Pod', 'agent@sha256:short']) {
      expect(() => loadConfig(MANAGER_VARIABLES, { BUILD_AGENT_IMAGE: raw })).toThrow(/BUILD_AGENT_IMAGE: expected an image reference/);
    }
  });

  it('takes the console URL for links without its trailing slash, and no link when it is unset', () => {
    expect(loadConfig(MANAGER_VARIABLES, { CONSOLE_URL: 'https://keelson.example.com/console/' }).consoleUrl).toBe('https://keelson.example.com/console');
    expect(loadConfig(MANAGER_VARIABLES, {}).consoleUrl).toBeUndefined();
    expect(loadConfig(MANAGER_VARIABLES, {})).toMatchObject({ reportWorkers: 5, reportAttempts: 6, reportBackoffMs: 2000 });
    for (const raw of ['keelson.example.com', 'ftp://x/', 'https://x/?a=1', 'https://x/#/ns']) {
      expect(() => loadConfig(MANAGER_VARIABLES, { CONSOLE_URL: raw })).toThrow(/CONSOLE_URL: expected/);
    }
  });

  it('never echoes the value of a sensitive variable, in errors or in the description', () => {
    const secretUrl = 'http://user:hunter2@redis:6379';
    expect(() => loadConfig(MANAGER_VARIABLES, { REDIS_URL: secretUrl })).toThrow(/REDIS_URL: expected a URL with scheme redis or rediss$/m);
    try {
      loadConfig(MANAGER_VARIABLES, { REDIS_URL: secretUrl });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
    const config = loadConfig(MANAGER_VARIABLES, { REDIS_URL: 'redis://:hunter2@redis:6379' });
    expect(JSON.stringify(describeConfig(MANAGER_VARIABLES, config))).not.toContain('hunter2');
  });
});

describe('API_AUTH=disabled', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST'])('is accepted on the loopback address %s', (host) => {
    expect(loadConfig(MANAGER_VARIABLES, { API_AUTH: 'disabled', HOST: host }).apiAuth).toBe('disabled');
  });

  it.each(['0.0.0.0', '::', '10.0.0.5', '128.0.0.1', 'keelson.example.com', 'localhost.example.com'])('is refused at boot on %s, naming API_AUTH and HOST', (host) => {
    let error: ConfigError | undefined;
    try {
      loadConfig(MANAGER_VARIABLES, { API_AUTH: 'disabled', HOST: host });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([{ env: 'API_AUTH', problem: expect.stringContaining('HOST is a loopback address') }]);
    expect(error!.message).toContain(`HOST is ${JSON.stringify(host)}`);
  });

  it('is refused with the default HOST, which binds every address', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { API_AUTH: 'disabled' })).toThrow(/API_AUTH: disabled is allowed only when HOST is a loopback address.*HOST is "0\.0\.0\.0"/);
  });

  it('is reported together with the other bad variables', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { API_AUTH: 'disabled', PORT: '0' })).toThrow(/PORT: [\s\S]*API_AUTH: disabled/);
  });

  it('leaves API_AUTH=kubernetes free to bind any address', () => {
    expect(loadConfig(MANAGER_VARIABLES, { API_AUTH: 'kubernetes', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });
});

describe('the manager\'s own roles in the namespaces it creates', () => {
  const all = { MANAGER_SERVICE_ACCOUNT: 'keelson-manager', DATA_PLANE_MANAGER_CLUSTER_ROLE: 'ci-keelson-data-plane', BUILDS_MANAGER_CLUSTER_ROLE: 'ci-keelson-builds' };

  it('loads the three together', () => {
    expect(loadConfig(MANAGER_VARIABLES, all)).toMatchObject({
      managerServiceAccount: 'keelson-manager', dataPlaneManagerClusterRole: 'ci-keelson-data-plane', buildsManagerClusterRole: 'ci-keelson-builds',
    });
  });

  it('names each one missing when only some are set', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { DATA_PLANE_MANAGER_CLUSTER_ROLE: 'r' })).toThrow(/MANAGER_SERVICE_ACCOUNT: must be set together with DATA_PLANE_MANAGER_CLUSTER_ROLE[\s\S]*BUILDS_MANAGER_CLUSTER_ROLE: must be set together/);
  });

  it('refuses a role name that is not a DNS subdomain, naming the variable', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { ...all, DATA_PLANE_DEPLOY_CLUSTER_ROLE: 'Deploy Role' })).toThrow(/DATA_PLANE_DEPLOY_CLUSTER_ROLE: expected a DNS-1123 subdomain/);
  });
});

describe('leader election timings', () => {
  it('default to client-go\'s 15 s lease, 10 s renew deadline and 2 s retry period', () => {
    const config = loadConfig(MANAGER_VARIABLES, {});
    expect([config.leaseDurationSeconds, config.renewDeadlineSeconds, config.retryPeriodSeconds]).toEqual([15, 10, 2]);
  });

  it('accept shorter values that keep retry < renew deadline < lease', () => {
    const config = loadConfig(MANAGER_VARIABLES, { LEADER_ELECTION_LEASE_SECONDS: '6', LEADER_ELECTION_RENEW_DEADLINE_SECONDS: '4', LEADER_ELECTION_RETRY_PERIOD_SECONDS: '1' });
    expect([config.leaseDurationSeconds, config.renewDeadlineSeconds, config.retryPeriodSeconds]).toEqual([6, 4, 1]);
  });

  it('refuse a renew deadline that is not below the lease, naming both variables', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { LEADER_ELECTION_LEASE_SECONDS: '8' })).toThrow(/LEADER_ELECTION_RENEW_DEADLINE_SECONDS: must be less than LEADER_ELECTION_LEASE_SECONDS \(8\); got 10/);
  });

  it('refuse a retry period that is not below the renew deadline', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { LEADER_ELECTION_RETRY_PERIOD_SECONDS: '10' })).toThrow(/LEADER_ELECTION_RETRY_PERIOD_SECONDS: must be less than LEADER_ELECTION_RENEW_DEADLINE_SECONDS \(10\); got 10/);
  });

  it('refuse a value out of range with the variable named', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { LEADER_ELECTION_LEASE_SECONDS: '1' })).toThrow(/LEADER_ELECTION_LEASE_SECONDS: /);
  });
});

describe('OIDC sign-in settings', () => {
  const PUBLIC_URL = 'https://keelson.example.com';

  it('are off by default, with scopes for the apiserver\'s usual claim mappings', () => {
    const config = loadConfig(MANAGER_VARIABLES, {});
    expect([config.oidcIssuerUrl, config.oidcClientId, config.oidcClientSecret, config.oidcScopes]).toEqual([undefined, undefined, undefined, 'openid email groups']);
  });

  it('take an https issuer without its trailing slash, and a client', () => {
    const config = loadConfig(MANAGER_VARIABLES, { PUBLIC_URL, OIDC_ISSUER_URL: 'https://dex.example.com/', OIDC_CLIENT_ID: 'keelson', OIDC_SCOPES: 'openid  email' });
    expect(config).toMatchObject({ oidcIssuerUrl: 'https://dex.example.com', oidcClientId: 'keelson', oidcScopes: 'openid email' });
  });

  it('refuse a plain http issuer unless it is a loopback one (tests), and an issuer with a query', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_ISSUER_URL: 'http://dex.example.com', OIDC_CLIENT_ID: 'k' })).toThrow(/OIDC_ISSUER_URL: expected an https URL/);
    expect(loadConfig(MANAGER_VARIABLES, { PUBLIC_URL, OIDC_ISSUER_URL: 'http://127.0.0.1:5556/dex', OIDC_CLIENT_ID: 'k' }).oidcIssuerUrl).toBe('http://127.0.0.1:5556/dex');
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_ISSUER_URL: 'https://dex.example.com/?a=1', OIDC_CLIENT_ID: 'k' })).toThrow(/OIDC_ISSUER_URL: expected a URL without query/);
  });

  it('name the half of the pair that is missing, and a secret without a client', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_ISSUER_URL: 'https://dex.example.com' })).toThrow(/OIDC_CLIENT_ID: must be set together with OIDC_ISSUER_URL/);
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_CLIENT_ID: 'k' })).toThrow(/OIDC_ISSUER_URL: must be set together with OIDC_CLIENT_ID/);
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_CLIENT_SECRET: 'hunter2-secret' })).toThrow(/OIDC_CLIENT_SECRET: is set but/);
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_ISSUER_URL: 'https://i.example', OIDC_CLIENT_ID: 'k' })).toThrow(/PUBLIC_URL: must be set with OIDC_ISSUER_URL/);
  });

  it('refuse scopes without openid, and never echo the client secret', () => {
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_ISSUER_URL: 'https://i.example', OIDC_CLIENT_ID: 'k', OIDC_SCOPES: 'email groups' })).toThrow(/OIDC_SCOPES: expected the scope openid/);
    const refusal = (() => {
      try {
        loadConfig(MANAGER_VARIABLES, { OIDC_CLIENT_SECRET: 'hunter2-secret' });
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(refusal).toContain('OIDC_CLIENT_SECRET');
    expect(refusal).not.toContain('hunter2');
    const loaded = loadConfig(MANAGER_VARIABLES, { PUBLIC_URL, OIDC_ISSUER_URL: 'https://i.example', OIDC_CLIENT_ID: 'k', OIDC_CLIENT_SECRET: 'hunter2-secret' });
    expect(JSON.stringify(describeConfig(MANAGER_VARIABLES, loaded))).not.toContain('hunter2');
  });

  it('take a private CA for the issuer as PEM, and refuse text that is not one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', `${dir}/ca.key`, '-out', `${dir}/ca.crt`], { stdio: 'ignore' });
    const pem = readFileSync(`${dir}/ca.crt`, 'utf8');
    expect(loadConfig(MANAGER_VARIABLES, { OIDC_CA_CERT: pem }).oidcCaCert).toBe(pem.trim());
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_CA_CERT: 'not a certificate' })).toThrow(/OIDC_CA_CERT: expected PEM certificates/);
    expect(() => loadConfig(MANAGER_VARIABLES, { OIDC_CA_CERT: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' })).toThrow(/OIDC_CA_CERT: certificate 1 of 1 is not a valid X.509 certificate/);
  });
});
