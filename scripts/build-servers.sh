#!/usr/bin/env bash
# Builds the real servers the tests and local mode run (kube-apiserver and friends, etcd, KWOK, MinIO, the
# registry) from Go modules into $KEELSON_HOME/servers/bin, outside the repository. Each server is skipped
# when its binary was already built at the pinned version (a stamp file records it).
# `--test-servers` (or KEELSON_TEST_SERVERS=1) also builds the servers only tests use (Gitea, the real node's
# kubelet), which local mode need not wait for.
# Recipes and pitfalls: ../shared/reference/test-servers.md.
set -euo pipefail

test_servers=${KEELSON_TEST_SERVERS:-0}
for arg in "$@"; do
  case $arg in
    --test-servers) test_servers=1 ;;
    *) echo "build-servers.sh: unknown argument $arg (known: --test-servers)" >&2; exit 2 ;;
  esac
done

KEELSON_HOME=${KEELSON_HOME:-$HOME/.cache/keelson}
ROOT="$KEELSON_HOME/servers"
BIN="${KEELSON_SERVERS_BIN:-$ROOT/bin}"
WORK="$ROOT/src"
mkdir -p "$BIN" "$WORK"

K8S_VERSION=v1.34.4
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
# The MinIO repository is archived; this is the last published pseudo-version.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
REGISTRY_VERSION=v3.1.1
# helm for the chart's tests and operators' installs. v3.22.0 is served by the module proxy here but not approved,
# so the newest approved v3.
HELM_VERSION=v3.21.4
# From 1.27 the module is renamed gitea.dev, which the module proxy here does not serve.
GITEA_VERSION=v1.26.0

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local

log() { printf '[build-servers] %s\n' "$*"; }

# built NAME VERSION: true when NAME's stamp says it was built at VERSION and every listed binary exists.
built() {
  local name=$1 version=$2; shift 2
  [ "$(cat "$BIN/.$name.version" 2>/dev/null)" = "$version" ] || return 1
  for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done
}

# step NAME VERSION BINARIES... -- COMMAND: runs COMMAND unless already built, timing it.
step() {
  local name=$1 version=$2; shift 2
  local bins=()
  while [ "$1" != "--" ]; do bins+=("$1"); shift; done
  shift
  if built "$name" "$version" "${bins[@]}"; then
    log "$name $version: cached"
    return
  fi
  log "$name $version: building (${bins[*]})"
  local start=$SECONDS
  "$@"
  echo "$version" >"$BIN/.$name.version"
  log "$name $version: built in $((SECONDS - start)) s"
}

# kubernetes_wrapper MODULE COMMAND...: in the current directory, writes the wrapper module that requires
# k8s.io/kubernetes (each staging module replaced by its published release) and builds the listed commands into
# $BIN, version stamped as release builds are. The control plane and the kubelet share it, and the build cache.
kubernetes_wrapper() {
  local module=$1; shift
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  local staging="v0.${K8S_VERSION#v1.}"
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  # The kubernetes module replaces its staging modules with ./staging/src paths; the wrapper maps each one
  # to its published release. Only those: k8s.io/utils and kube-openapi have no v0.34 tags.
  local modules
  modules=$(sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/src/.*#\1#p' "$gomod")
  [ -n "$modules" ] || { log "no staging replaces found in $gomod"; exit 1; }
  {
    echo "module $module"
    echo
    echo "go 1.24.0"
    echo
    echo "godebug default=go1.24"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    for m in $modules; do echo "	$m => $m $staging"; done
    echo ")"
  } >go.mod
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    for cmd in "$@"; do printf '\t_ "%s"\n' "$cmd"; done
    printf ')\n'
  } >tools.go
  go mod tidy
  local ld="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld="$ld -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
    ld="$ld -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  go build -trimpath -tags grpcnotrace -ldflags "$ld" -o "$BIN/" "$@"
}

build_kubernetes() {
  mkdir -p "$WORK/kubernetes-$K8S_VERSION"
  (
    cd "$WORK/kubernetes-$K8S_VERSION"
    kubernetes_wrapper keelson.dev/servers/kubernetes k8s.io/kubernetes/cmd/kube-apiserver \
      k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  )
}

# The kubelet of the real node (test/e2e/real-node), only for the tests: a wrapper directory of its own, so the
# control plane's module graph stays as it was, with the same versions and the same build cache.
build_kubelet() {
  mkdir -p "$WORK/kubelet-$K8S_VERSION"
  (
    cd "$WORK/kubelet-$K8S_VERSION"
    kubernetes_wrapper keelson.dev/servers/kubelet k8s.io/kubernetes/cmd/kubelet
  )
}

build_etcd() {
  local dir="$WORK/etcd-$ETCD_VERSION"
  mkdir -p "$dir"
  (
    cd "$dir"
    printf 'module keelson.dev/servers/etcd\n\ngo 1.24.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >go.mod
    printf '//go:build tools\n\npackage tools\n\nimport _ "go.etcd.io/etcd/server/v3"\n' >tools.go
    go mod tidy
    go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
  )
}

# Gitea's go.mod replaces and excludes modules, which only the main module may do: a wrapper module copies
# those lines. CGO is on for this build only (sqlite). Without the bindata tag Gitea reads its templates,
# locales and public files from STATIC_ROOT_PATH at run time: a copy of them sits beside the binary, so a
# cleaned module cache cannot break it.
build_gitea() {
  local dir="$WORK/gitea-$GITEA_VERSION"
  mkdir -p "$dir"
  (
    cd "$dir"
    local info gomod src
    info=$(go mod download -json "code.gitea.io/gitea@$GITEA_VERSION")
    gomod=$(sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p' <<<"$info")
    src=$(sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p' <<<"$info")
    {
      echo "module keelson.dev/servers/gitea"
      echo
      grep -E '^(go|godebug) ' "$gomod"
      echo
      echo "require code.gitea.io/gitea $GITEA_VERSION"
      echo
      awk '/^(replace|exclude) \($/ { block = 1 } block { print; if (/^\)/) block = 0; next } /^(replace|exclude) / { print }' "$gomod"
    } >go.mod
    printf '//go:build tools\n\npackage tools\n\nimport _ "code.gitea.io/gitea"\n' >tools.go
    go mod tidy
    local tags="sqlite sqlite_unlock_notify"
    CGO_ENABLED=1 go build -trimpath -tags "$tags" \
      -ldflags "-s -w -X 'main.Version=${GITEA_VERSION#v}' -X 'main.Tags=$tags'" -o "$BIN/gitea" code.gitea.io/gitea
    rm -rf "$BIN/gitea-static"
    mkdir -p "$BIN/gitea-static"
    cp -r "$src/options" "$src/templates" "$src/public" "$BIN/gitea-static/"
    chmod -R u+w "$BIN/gitea-static"
  )
}

# A go-installed helm v3 would report a made-up version and assume Kubernetes 1.20 in lint and template: release
# builds set both with -X, so do we.
build_helm() {
  local minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w \
    -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
}

go_install() { GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "$@"; }

start=$SECONDS
log "servers into $BIN"
step kubernetes "$K8S_VERSION" kube-apiserver kube-controller-manager kube-scheduler kubectl -- build_kubernetes
step etcd "$ETCD_VERSION" etcd -- build_etcd
step kwok "$KWOK_VERSION" kwok kwokctl -- go_install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
step registry "$REGISTRY_VERSION" registry -- go_install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
step minio "$MINIO_VERSION" minio -- go_install "github.com/minio/minio@$MINIO_VERSION"
step helm "$HELM_VERSION" helm -- build_helm
if [ "$test_servers" = 1 ]; then
  step gitea "$GITEA_VERSION" gitea gitea-static -- build_gitea
  step kubelet "$K8S_VERSION" kubelet -- build_kubelet
fi
log "all servers ready in $((SECONDS - start)) s"
