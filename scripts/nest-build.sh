#!/usr/bin/env bash
# Builds each project of nest-cli.json on its own (all when none is named): `nest build <project>` when
# @nestjs/cli is installed, else the compile nest build runs with its tsc builder (`tsc -p <tsConfigPath>`, into a
# throw-away directory, since nest is not there to own dist/). Usage: scripts/nest-build.sh [project...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t projects < <(if [ $# -gt 0 ]; then printf '%s\n' "$@"; else node -p "Object.keys(require('./nest-cli.json').projects).join('\n')"; fi)
if node -e "require.resolve('@nestjs/cli/package.json')" 2>/dev/null; then builder=nest; else builder=tsc; fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for p in "${projects[@]}"; do
  start=$(date +%s)
  if [ "$builder" = nest ]; then
    npx --no-install nest build "$p"
  else
    tsconfig="$(node -p "require('./nest-cli.json').projects['$p'].compilerOptions.tsConfigPath")"
    npx --no-install tsc -p "$tsconfig" --outDir "$out/$p"
  fi
  echo "nest-build: $p built with $builder in $(( $(date +%s) - start )) s"
done
