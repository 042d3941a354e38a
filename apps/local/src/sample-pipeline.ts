// The sample that local mode sets up, so a newcomer can run a pipeline at once (README walkthrough).
export const SAMPLE_NAMESPACE = 'demo';
export const SAMPLE_PIPELINE = 'sample';
/** Pushing this repository to the local registry runs the sample pipeline (its `triggers.imagePush`). */
export const SAMPLE_IMAGE_REPOSITORY = 'sample/app';

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

/** The shell commands that push a minimal OCI image with curl; the README shows the same. */
export function imagePushCommands(registry: string, repository: string, tag = 'v1'): string[] {
  const empty = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'; // the two bytes {}
  return [
    `REG=${registry} EMPTY=${empty}`,
    `LOC=$(curl -si -X POST $REG/v2/${repository}/blobs/uploads/ | sed -n 's/^location: *//Ip' | tr -d '\\r')`,
    `curl -s -X PUT -H 'Content-Type: application/octet-stream' --data-binary '{}' "$LOC&digest=$EMPTY"`,
    `curl -s -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' $REG/v2/${repository}/manifests/${tag} \\`,
    `  -d '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"'$EMPTY'","size":2},"layers":[]}'`,
  ];
}
