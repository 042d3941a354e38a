// The sample that local mode sets up, so a newcomer can run a pipeline at once (README walkthrough).
export const SAMPLE_NAMESPACE = 'demo';
export const SAMPLE_PIPELINE = 'sample';

/** Steps follow the Jenkins double's convention: `echo` is log text, `sleep N` takes N seconds, `exit N` fails. */
export const SAMPLE_DEVOPS_YML = `# A three-stage pipeline; the test stage runs two steps in parallel.
stages:
- name: build
  steps:
  - runScriptConfig:
      image: golang:1.22
      shellScript: |
        echo compiling
        sleep 2
- name: test
  steps:
  - runScriptConfig: {image: golang:1.22, shellScript: "echo unit tests\\nsleep 2"}
  - runScriptConfig: {image: golang:1.22, shellScript: echo vet}
- name: publish
  steps:
  - runScriptConfig: {image: alpine:3.20, shellScript: echo published}
`;
