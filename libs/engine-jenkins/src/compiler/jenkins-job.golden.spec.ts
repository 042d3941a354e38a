// Golden files for representative pipelines: any change to the generated artefacts shows up as a diff to
// review. Run with UPDATE_GOLDEN=1 to rewrite them after an intended change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { toYaml } from './escape';
import { compileJenkinsJob } from './jenkins-job.compiler';
import { aCompileInput } from './testing/compile-input.builders';

const GOLDEN_DIR = join(__dirname, '..', '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

// The example of reference/rancher-pipelines.md §3.7, in Keelson's format.
const RANCHER_EXAMPLE = `
stages:
- name: test
  when: {event: [push, pull_request]}
  steps:
  - runScriptConfig: {image: 'golang:1.22', shellScript: go test ./...}
    envFrom: [{sourceName: my-secret, sourceKey: token, targetKey: API_TOKEN}]
- name: image
  steps:
  - publishImageConfig: {dockerfilePath: ./Dockerfile, buildContext: ., tag: 'app:\${CICD_EXECUTION_SEQUENCE}'}
- name: deploy
  when: {branch: {include: [main, release/*]}}
  steps:
  - applyYamlConfig: {path: ./deploy.yaml}
timeout: 30
branch: {exclude: [wip/*]}
`;

const FULL_FEATURED = `
timeout: 90
cache: {paths: [node_modules], key: 'node-\${CICD_GIT_BRANCH}'}
stages:
- name: build
  steps:
  - name: unit tests
    runScriptConfig:
      image: 'node:20-alpine'
      shellScript: |
        npm ci
        npm test -- --reporter "dot" 'quoted'
    env: {NODE_ENV: test, COMMIT: '\${CICD_GIT_COMMIT}'}
    resources: {cpuRequest: 500m, cpuLimit: '2', memoryRequest: 512Mi, memoryLimit: 2Gi}
    timeout: 20
    retry: 2
    cache: {paths: [/root/.npm], key: npm}
  - name: image
    publishImageConfig: {tag: 'acme/web:\${CICD_GIT_COMMIT}', pushRemote: true, registry: quay.io}
    resources: {requests: {cpu: '1', memory: 1Gi}, limits: {memory: 4Gi}}
- name: approve
  steps:
  - name: release manager
    approval: {message: "Deploy web to production?", users: [alice]}
    timeout: 120
- name: deploy
  steps:
  - name: config
    applyYamlConfig:
      content: |
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-version}
        data: {commit: '\${CICD_GIT_COMMIT}'}
      namespace: prod
  - name: release
    applyAppConfig:
      chart: ./charts/web
      releaseName: web
      targetNamespace: prod
      values: {image: {tag: '\${CICD_GIT_COMMIT}'}, replicas: 3}
    timeout: 10
  - name: catalog
    publishCatalogConfig: {path: charts/web, catalogTemplate: web, version: 1.0.0, gitUrl: 'https://git.example.com/acme/catalog.git', gitBranch: main}
    envFrom: [{sourceName: catalog-git, sourceKey: username, targetKey: USERNAME}, {sourceName: catalog-git, sourceKey: password, targetKey: PASSWORD}]
`;

const CASES = [
  { name: 'rancher-example', input: aCompileInput(RANCHER_EXAMPLE) },
  {
    name: 'full-featured',
    input: aCompileInput(FULL_FEATURED, {
      settings: { remoteRegistryCredentials: { 'quay.io': 'quay-push' }, imagePullSecrets: ['hub-pull'] },
      recentNodes: [
        { name: 'node-c', lastUsed: '2026-11-20T08:00:00Z' },
        { name: 'node-a', lastUsed: '2026-11-23T09:00:00Z' },
        { name: 'node-b', lastUsed: '2026-11-22T10:00:00Z' },
      ],
    }),
  },
  {
    name: 'fork-pull-request',
    input: aCompileInput(RANCHER_EXAMPLE, {
      facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/42/head', sourceBranch: 'contrib', commitMessage: "Fix it'; evil()" },
    }),
  },
  {
    // Caches, deploy steps, envFrom and a push, as a fork sees them: fork cache keys read-only, no token, no Secret.
    name: 'fork-full-featured',
    input: aCompileInput(FULL_FEATURED, {
      facts: { event: 'pull_request', fromFork: true, ref: 'refs/pull/7/head', sourceBranch: 'contrib' },
      settings: { remoteRegistryCredentials: { 'quay.io': 'quay-push' } },
    }),
  },
  {
    name: 'manual-run',
    input: aCompileInput(RANCHER_EXAMPLE, {
      facts: { event: 'manual', triggerType: 'user', ref: 'release/2.0', branch: 'release/2.0', commitMessage: undefined },
      settings: { gitCredentialsId: undefined, approvalSubmitter: undefined },
      recentNodes: [],
    }),
  },
];

function checkGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`golden file ${file} is missing; run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe('golden files', () => {
  for (const c of CASES) {
    it(`compiles the ${c.name} pipeline to the recorded Jenkinsfile, pod, cache volumes and config.xml`, () => {
      const job = compileJenkinsJob(c.input);
      checkGolden(`${c.name}.Jenkinsfile`, job.jenkinsfile);
      checkGolden(`${c.name}.pod.yaml`, job.podYaml);
      checkGolden(`${c.name}.cache-volumes.yaml`, toYaml(job.cacheVolumes));
      checkGolden(`${c.name}.config.xml`, job.configXml);
      // The scripts travel as base64; this file shows them decoded for review.
      checkGolden(`${c.name}.files.txt`, job.files.map((f) => `==> ${f.step} / ${f.name}\n${f.content}\n`).join('\n'));
    });
  }
});
