#!/usr/bin/env bash
# What the real node of the tests needs beside its kubelet (built by build-servers.sh): Debian's containerd and
# runc, and the container images it runs, built here from Debian packages so that nothing is ever pulled:
#   localhost/keelson/pause:1    the pause binary compiled from k8s.io/kubernetes' build/pause/linux/pause.c
#   localhost/keelson/busybox:1  Debian's busybox-static with its applet links
#   localhost/keelson/agent:1    busybox as uid 1000, waiting: stands in for the Jenkins inbound agent (jnlp)
#   localhost/keelson/debian:1   debootstrap --variant=minbase bookworm
# Each is a docker-archive in $KEELSON_HOME/real-node/images, imported into containerd when a node starts.
# Skipped when the stamp says the images were built by this recipe. Needs root (debootstrap, and the node).
# Recipe, blockers and measured times: ../shared/reference/real-node.md.
set -euo pipefail

KEELSON_HOME=${KEELSON_HOME:-$HOME/.cache/keelson}
OUT="$KEELSON_HOME/real-node/images"
# Bump when the images change, so every machine builds them again.
RECIPE=1
K8S_VERSION=v1.34.4
SUITE=bookworm

log() { printf '[build-real-node] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  log "the real node needs root: running again with sudo"
  exec sudo env KEELSON_HOME="$KEELSON_HOME" PATH="$PATH" bash "$0" "$@"
fi

# Debian packages: the container runtime, the CNI plugins the isolated network delegates to (host-local,
# loopback), busybox, and the image tools. gcc and the static libc compile pause; jq, ip and nsenter run the
# isolated CNI plugin.
missing=()
for pair in containerd:containerd runc:runc /usr/lib/cni/host-local:containernetworking-plugins \
  /bin/busybox:busybox-static debootstrap:debootstrap umoci:umoci skopeo:skopeo jq:jq ip:iproute2 \
  nsenter:util-linux gcc:gcc /usr/lib/x86_64-linux-gnu/libc.a:libc6-dev; do
  want=${pair%%:*}
  if [[ $want == /* ]]; then [ -e "$want" ] && continue; else command -v "$want" >/dev/null && continue; fi
  missing+=("${pair#*:}")
done
# The images copy /bin/busybox alone: Debian's `busybox` (linked against libc) would start nowhere in them.
if [ -e /bin/busybox ] && ldd /bin/busybox >/dev/null 2>&1; then missing+=(busybox-static); fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The busybox binary is part of the recipe: another one (a new Debian release, or a dynamic one replaced) rebuilds.
stamp="$RECIPE $K8S_VERSION $SUITE busybox-$(sha256sum /bin/busybox | cut -c1-12)"
if [ "$(cat "$OUT/.version" 2>/dev/null)" = "$stamp" ] && [ -f "$OUT/pause.tar" ] && [ -f "$OUT/busybox.tar" ] \
  && [ -f "$OUT/agent.tar" ] && [ -f "$OUT/debian.tar" ]; then
  log "images (recipe $stamp): cached"
  exit 0
fi

start=$SECONDS
WORK="$KEELSON_HOME/real-node/work"
rm -rf "$WORK"
mkdir -p "$WORK" "$OUT"
cd "$WORK"

# pause, from the source of the Kubernetes release the other servers are built from.
src=$(cd "$KEELSON_HOME" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')
gcc -Os -static -DVERSION="$K8S_VERSION-keelson" -o pause "$src/build/pause/linux/pause.c"

mirror=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
log "debootstrap $SUITE from ${mirror:=http://deb.debian.org/debian}"
debootstrap --variant=minbase "$SUITE" debian-rootfs "$mirror" >debootstrap.log 2>&1 || { tail -20 debootstrap.log; exit 1; }

# mk NAME FILL_FUNCTION umoci-config-args...: an OCI layout by umoci, written by skopeo as a docker-archive that
# carries the full image name, which `ctr images import` keeps.
mk() {
  local name=$1 fill=$2; shift 2
  umoci init --layout "oci-$name"
  umoci new --image "oci-$name:1"
  umoci unpack --image "oci-$name:1" "bundle-$name" >/dev/null
  "$fill" "bundle-$name/rootfs"
  umoci repack --image "oci-$name:1" "bundle-$name"
  umoci config --image "oci-$name:1" --author keelson "$@"
  rm -f "$OUT/$name.tar"
  skopeo --insecure-policy copy -q "oci:oci-$name:1" "docker-archive:$OUT/$name.tar:localhost/keelson/$name:1"
  rm -rf "bundle-$name" "oci-$name"
}

fill_pause() { cp pause "$1/pause"; }

fill_busybox() {
  mkdir -p "$1/bin" "$1/etc" "$1/tmp" "$1/root"
  cp /bin/busybox "$1/bin/busybox"
  for a in $(/bin/busybox --list); do [ "$a" = busybox ] || ln -s busybox "$1/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\njenkins:x:1000:1000:jenkins:/home/jenkins:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$1/etc/passwd"
  printf 'root:x:0:\njenkins:x:1000:\nnogroup:x:65534:\n' >"$1/etc/group"
  printf 'PRETTY_NAME="BusyBox (Debian busybox-static)"\nID=busybox\n' >"$1/etc/os-release"
  chmod 1777 "$1/tmp"
}

# The jnlp container's stand-in: the Jenkins double does the agent's work through the exec API, so this only
# stays up, and ends at once on SIGTERM, as the agent's JVM does.
fill_agent() {
  fill_busybox "$1"
  mkdir -p "$1/home/jenkins/agent"
  chown -R 1000:1000 "$1/home/jenkins"
  printf '#!/bin/sh\ntrap "exit 0" TERM INT\nwhile :; do sleep 3600 & wait $!; done\n' >"$1/bin/keelson-agent"
  chmod 0755 "$1/bin/keelson-agent"
}

fill_debian() {
  cp -a debian-rootfs/. "$1/"
  rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/* "$1"/dev/* "$1"/proc/* "$1"/sys/*
}

mk pause fill_pause --config.entrypoint /pause --config.user 65535:65535
mk busybox fill_busybox --config.cmd sh --config.env PATH=/bin
mk agent fill_agent --config.entrypoint /bin/keelson-agent --config.user 1000:1000 --config.workingdir /home/jenkins \
  --config.env PATH=/bin --config.env HOME=/home/jenkins
mk debian fill_debian --config.cmd bash --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd /
rm -rf "$WORK"
echo "$stamp" >"$OUT/.version"
log "images built in $((SECONDS - start)) s: $(cd "$OUT" && ls -s --block-size=M ./*.tar | tr '\n' ' ')"
