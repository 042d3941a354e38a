#!/usr/bin/env bash
# One command on a fresh machine (Node, npm, Go and apt only): Debian packages, npm dependencies and the
# real servers the tests and local mode run. Every part is skipped when already in place, so running it
# again costs seconds. `--test-servers` also builds what only the tests use (Gitea, the real node: kubelet,
# containerd, images): `npm test` passes it, `npm start` does not wait for them.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }
start=$SECONDS

# Debian packages: redis-server for tests that need their own Redis, git for reading .devops.yml, openssl for
# the test certificates, groovy (2.4.21, the Groovy Jenkins runs) and a Java runtime for it to compile and run
# the generated Jenkinsfiles (test/groovy), busybox for the cache janitor's script (the chart runs it on busybox): busybox-static, which the real node's images
# copy too (Debian's `busybox` is linked against libc and, installed instead, breaks those images).
missing=()
for pair in redis-server:redis-server git:git openssl:openssl groovy:groovy java:default-jre-headless busybox:busybox-static; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm dependencies, when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm dependencies"
  # Not `npm ci`: npm 11 leaves other platforms' optional binaries (@swc/core-*) out of the lockfile and then
  # refuses its own lockfile in `npm ci`. `npm install` keeps the locked versions.
  npm install --no-audit --no-fund
fi

bash scripts/build-servers.sh "$@"
# The real node's container runtime and images, for its tests only (the kubelet came with the servers above),
# and Debian's Chromium for the console's browser tests (`npx playwright install` cannot download here).
if [[ " $* " == *" --test-servers "* || ${KEELSON_TEST_SERVERS:-0} == 1 ]]; then
  bash scripts/build-real-node.sh
  if ! command -v chromium >/dev/null; then
    log "installing Debian's chromium for the console's browser tests"
    sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  fi
fi
log "done in $((SECONDS - start)) s"
