// The Jenkins configuration-as-code document. It is built as an object and written by `toYaml`, the escaping
// function the compiler proves against adversarial input: no text is ever pasted into YAML here.
import { toYaml } from '@keelson/engine-jenkins';

import { PORTS, NAMES, LABELS } from './data-plane.names';
import type { ResolvedDataPlaneInput } from './data-plane.input';

/** Name of the Kubernetes cloud; the compiler's `BuildSettings.cloud` defaults to the same. */
export const JENKINS_CLOUD_NAME = 'kubernetes';
/** Environment variables of the Jenkins container that JCasC reads the admin account from. */
export const ADMIN_ID_ENV = 'JENKINS_ADMIN_ID';
export const ADMIN_PASSWORD_ENV = 'JENKINS_ADMIN_PASSWORD';

/**
 * JCasC resolves `${...}` in every value (environment, files, Base64 ...). A value that comes from us and must
 * stay literal gets the documented escape `^${`; the names validated upstream cannot contain `$`, so this is a
 * second line of defence, not the first.
 */
export function cascLiteral(value: string): string {
  return value.replace(/\$\{/g, '^${');
}

export function jenkinsInternalUrl(namespace: string): string {
  return `http://${NAMES.jenkins}.${namespace}.svc:${PORTS.jenkinsHttp}/`;
}

export function jenkinsCascDocument(input: ResolvedDataPlaneInput): Record<string, unknown> {
  const url = cascLiteral(jenkinsInternalUrl(input.namespace));
  // Agents run in the builds namespace; Jenkins itself (and jenkinsUrl) stays in the data-plane namespace.
  const namespace = cascLiteral(input.buildNamespace);
  return {
    jenkins: {
      systemMessage: cascLiteral(`Keelson data plane of project ${input.project}. Managed by Keelson: changes made here are overwritten.`),
      // The controller runs no builds: every build runs in its own pod.
      numExecutors: 0,
      mode: 'EXCLUSIVE',
      // Agents connect over WebSocket through the HTTP port; the TCP port stays for agents that cannot.
      slaveAgentPort: PORTS.jenkinsAgent,
      disableRememberMe: true,
      markupFormatter: 'plainText',
      securityRealm: {
        local: {
          allowsSignup: false,
          users: [{ id: `\${${ADMIN_ID_ENV}}`, password: `\${${ADMIN_PASSWORD_ENV}}` }],
        },
      },
      authorizationStrategy: { loggedInUsersCanDoAnything: { allowAnonymousRead: false } },
      // CSRF protection on; the crumb is bound to the session, not to the client IP behind the Service.
      crumbIssuer: { standard: { excludeClientIPFromCrumb: true } },
      clouds: [{
        kubernetes: {
          name: JENKINS_CLOUD_NAME,
          // No serverUrl: the plugin uses the in-cluster API with the `jenkins` ServiceAccount.
          namespace,
          jenkinsUrl: url,
          webSocket: true,
          skipTlsVerify: false,
          containerCapStr: String(input.setting.maxConcurrentExecutions),
          connectTimeout: 10,
          readTimeout: 30,
          podLabels: [{ key: LABELS.managedBy, value: 'keelson' }, { key: LABELS.project, value: cascLiteral(input.project) }],
        },
      }],
    },
    security: {
      apiToken: { creationOfLegacyTokenEnabled: false, tokenGenerationOnCreationEnabled: false, usageStatisticsEnabled: false },
    },
    unclassified: {
      location: { url },
    },
  };
}

export function jenkinsCascYaml(input: ResolvedDataPlaneInput): string {
  return toYaml(jenkinsCascDocument(input));
}
