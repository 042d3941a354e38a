# syntax=docker/dockerfile:1.7
# The Keelson manager image. Build: docker build --build-arg VERSION=$(node -p "require('./package.json').version") \
#   --build-arg GIT_COMMIT=$(git rev-parse HEAD) -t keelson/manager:<version> .
# What the runtime stage holds is listed once in scripts/runtime-image.files; scripts/runtime-image.sh rebuilds the
# same tree outside a container and the tests start the manager from it (test/integration/runtime-image.test.ts).

# Exact Node version (the manager needs >= 20.19: @kubernetes/client-node 1.x is loaded with require(esm)).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.0.0-dev
ARG GIT_COMMIT=unknown
LABEL org.opencontainers.image.title="keelson-manager" \
      org.opencontainers.image.description="Keelson manager: REST API, webhooks, controllers and workers" \
      org.opencontainers.image.source="https://github.com/keelson-dev/keelson" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GIT_COMMIT}"
# tini as PID 1: the manager runs git (which runs git-remote-https); a git killed at its deadline leaves orphans
# that only an init reaps. git and CA certificates: pipeline configs are read from repositories with git.
# Not version-pinned: bookworm's security updates should land at each rebuild; the base image is pinned.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini git ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Owned by root and not writable by the manager's user: the code stays read-only even without
# readOnlyRootFilesystem. The manager writes only to /tmp (git's throw-away repositories), an emptyDir in the chart.
COPY --chown=0:0 package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build --chown=0:0 /src/dist ./dist
ENV NODE_ENV=production \
    HOME=/tmp \
    TMPDIR=/tmp \
    KEELSON_VERSION=${VERSION} \
    KEELSON_GIT_COMMIT=${GIT_COMMIT}
# The chart's runAsUser/runAsGroup (numeric, so runAsNonRoot can verify it without /etc/passwd).
USER 10001:10001
EXPOSE 8080
# No HEALTHCHECK: Kubernetes ignores it; the chart's probes use /healthz (liveness) and /readyz (readiness).
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/apps/manager/src/main.js"]
