#!/usr/bin/env bash
# Rebuilds the manager image's runtime stage outside a container, so tests can start exactly what the image holds:
# the files of scripts/runtime-image.files (the Dockerfile's runtime COPY lines name the same, a test checks it),
# with production dependencies only. Usage: scripts/runtime-image.sh <empty-or-new-target-dir>
# Needs a built dist/ (npm run build).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${1:?usage: scripts/runtime-image.sh <target-dir>}"

mapfile -t files < <(grep -v '^\s*\(#\|$\)' "$root/scripts/runtime-image.files")
[ -f "$root/dist/apps/manager/src/main.js" ] || { echo "runtime-image: $root/dist is not built; run npm run build" >&2; exit 1; }
mkdir -p "$target"
[ -z "$(ls -A "$target")" ] || { echo "runtime-image: $target is not empty" >&2; exit 1; }

# As the Dockerfile: manifests, the production install, then the rest (cp -a keeps dist's @keelson symlinks).
cp "$root/package.json" "$root/package-lock.json" "$target/"
(cd "$target" && npm ci --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error)
for f in "${files[@]}"; do
  case "$f" in package.json|package-lock.json) ;; *) cp -a "$root/$f" "$target/$f" ;; esac
done
echo "$target"
