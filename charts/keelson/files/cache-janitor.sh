#!/bin/sh
# Keelson's cache janitor (DESIGN §5): bounds one node's cache root by total size, evicting whole cache
# directories (<root>/<project>/<pipeline>/<key>) least recently used first, and never one in use.
# POSIX sh on busybox (the chart's image); also runs under dash.
#
#   CACHE_ROOT        the manager's CACHE_ROOT, mounted at the same path (required)
#   MAX_SIZE          bound of the root: bytes, or with K/M/G/T (powers of 1000) or Ki/Mi/Gi/Ti (required)
#   INTERVAL          seconds between passes (default 300)
#   IN_USE_GRACE      a directory used (stamped) less than this many seconds ago is in use (default 7200)
#   LOCK_STALE        a step's lock whose heartbeat is older than this is dead (default 120, as the step wrapper)
#   ONCE=1            one pass, then exit (tests, a CronJob)
#
# Last use: the mtime of <dir>/.keelson-last-used, which the step wrapper touches when it takes and leaves the
# cache (atime is unreliable under relatime/noatime); the directory's own mtime when there is no stamp.
# In use: its lock <dir>/.keelson-lock is held (heartbeat fresh), or its last use is within IN_USE_GRACE.
# Eviction takes the lock itself (so no step starts writing), checks again, renames the directory into
# <root>/.keelson-trash-* (atomic: the next build sees no half-deleted cache) and deletes it.
# Symbolic links are never followed: a symlink at any level is neither measured nor entered nor deleted through.
set -u

log() { printf '%s cache-janitor: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
fail() { log "error: $*"; exit 2; }

# Bytes from a size such as 50Gi, 500M or 1073741824; empty when it is not one.
to_kib() {
  n=${1%[KMGTkmgt]*}
  n=${n%[KMGT]i}
  case $n in ''|*[!0-9]*) echo ''; return ;; esac
  case $1 in
    *Ki) echo "$n" ;;
    *Mi) echo $((n * 1024)) ;;
    *Gi) echo $((n * 1024 * 1024)) ;;
    *Ti) echo $((n * 1024 * 1024 * 1024)) ;;
    *K|*k) echo $((n * 1000 / 1024)) ;;
    *M) echo $((n * 1000000 / 1024)) ;;
    *G) echo $((n * 1000000000 / 1024)) ;;
    *T) echo $((n * 1000 * 1000000000 / 1024)) ;;
    *[!0-9]*) echo '' ;;
    *) echo $((n / 1024)) ;;
  esac
}

root=${CACHE_ROOT:-}
case $root in
  /*) ;;
  *) fail "CACHE_ROOT must be an absolute directory, got '${root}'" ;;
esac
root=${root%/}
[ -n "$root" ] || fail "CACHE_ROOT must not be /"
max_kib=$(to_kib "${MAX_SIZE:-}")
[ -n "$max_kib" ] || fail "MAX_SIZE must be a size such as 50Gi, 500M or a number of bytes, got '${MAX_SIZE:-}'"
interval=${INTERVAL:-300}
grace=${IN_USE_GRACE:-7200}
stale=${LOCK_STALE:-120}
for v in "INTERVAL=$interval" "IN_USE_GRACE=$grace" "LOCK_STALE=$stale"; do
  case ${v#*=} in ''|*[!0-9]*) fail "${v%%=*} must be a whole number of seconds, got '${v#*=}'" ;; esac
done

mtime() { stat -c %Y "$1" 2>/dev/null || echo 0; }

# Whether a step holds the lock of directory $1 now.
locked() {
  [ -d "$1/.keelson-lock" ] && [ ! -L "$1/.keelson-lock" ] || return 1
  # Builds write these files: read a plain file only (a FIFO would block, a link to /dev/zero would never end), and
  # only its first bytes.
  hb=
  if [ -f "$1/.keelson-lock/heartbeat" ] && [ ! -L "$1/.keelson-lock/heartbeat" ]; then
    hb=$(head -c 20 "$1/.keelson-lock/heartbeat" 2>/dev/null)
  fi
  case $hb in ''|*[!0-9]*) hb=$(mtime "$1/.keelson-lock") ;; esac
  age=$(($(date +%s) - hb))
  # A heartbeat in the future is forged (or a skewed clock): it must not pin the cache forever.
  [ "$age" -ge -60 ] && [ "$age" -le "$stale" ]
}

last_used() {
  if [ -f "$1/.keelson-last-used" ] && [ ! -L "$1/.keelson-last-used" ]; then mtime "$1/.keelson-last-used"; else mtime "$1"; fi
}

# Whether a last use at $1 (epoch seconds) is within the grace. One in the future (a build can set its stamp's
# time) counts as no recent use: it must not pin the cache forever.
used_within_grace() {
  age=$(($(date +%s) - $1))
  [ "$age" -ge -60 ] && [ "$age" -lt "$grace" ]
}

in_use() {
  locked "$1" && return 0
  used_within_grace "$(last_used "$1")"
}

# Evicts directory $1 (of $2 KiB); 0 when it is gone.
evict() {
  d=$1
  # A lock left by a step whose pod died (in_use said it is not held): cleared, then taken like a step would.
  if [ -d "$d/.keelson-lock" ] && ! locked "$d"; then
    mv "$d/.keelson-lock" "$d/.keelson-lock.stale.$$" 2>/dev/null && rm -rf "$d/.keelson-lock.stale.$$"
  fi
  (umask 000; mkdir "$d/.keelson-lock") 2>/dev/null || { log "skipped (a step took it): $d"; return 1; }
  echo "cache-janitor/$$" > "$d/.keelson-lock/owner"
  date +%s > "$d/.keelson-lock/heartbeat"
  # A step that released the lock just before ours has stamped it: look again (our mkdir moved the directory's
  # own mtime, so only the stamp tells).
  if [ -f "$d/.keelson-last-used" ] && [ ! -L "$d/.keelson-last-used" ] && used_within_grace "$(mtime "$d/.keelson-last-used")"; then
    rm -rf "$d/.keelson-lock"
    log "skipped (used meanwhile): $d"
    return 1
  fi
  trash="$root/.keelson-trash-$$-$(date +%s)-$seq"
  seq=$((seq + 1))
  if ! mv "$d" "$trash"; then
    rm -rf "$d/.keelson-lock"
    log "could not move aside: $d"
    return 1
  fi
  rm -rf "$trash"
  log "evicted $2 KiB, last used $(($(date +%s) - $3))s ago: $d"
  return 0
}

pass() {
  seq=0
  # Leftovers of a pass that was killed while deleting.
  for t in "$root"/.keelson-trash-*; do
    [ -d "$t" ] && [ ! -L "$t" ] && rm -rf "$t"
  done
  total=0
  i=0
  list=''
  for p in "$root"/*; do
    [ -d "$p" ] && [ ! -L "$p" ] || continue
    for q in "$p"/*; do
      [ -d "$q" ] && [ ! -L "$q" ] || continue
      for d in "$q"/*; do
        [ -d "$d" ] && [ ! -L "$d" ] || continue
        size=$(du -sk "$d" 2>/dev/null | { read -r s _ && echo "$s"; })
        case $size in ''|*[!0-9]*) size=0 ;; esac
        total=$((total + size))
        in_use "$d" && continue
        i=$((i + 1))
        # The path stays in a variable of its own: names may hold any byte but NUL, newlines included.
        eval "path_$i=\$d"
        list="$list$(last_used "$d") $size $i
"
      done
    done
  done
  log "root $root holds ${total} KiB in cache directories, bound ${max_kib} KiB, ${i} not in use"
  [ "$total" -gt "$max_kib" ] || return 0
  sorted=$(printf '%s' "$list" | sort -n -k1,1 -k3,3)
  # A here-document, not a pipe: `total` must change in this shell.
  while read -r used size n; do
    [ -n "$n" ] || continue
    [ "$total" -gt "$max_kib" ] || break
    eval "d=\$path_$n"
    if evict "$d" "$size" "$used"; then total=$((total - size)); fi
  done <<EOF
$sorted
EOF
  if [ "$total" -gt "$max_kib" ]; then log "still ${total} KiB over ${max_kib} KiB: the rest is in use"; fi
}

[ -d "$root" ] && [ ! -L "$root" ] || fail "CACHE_ROOT $root is not a directory"
while :; do
  pass
  [ "${ONCE:-}" = 1 ] && exit 0
  sleep "$interval"
done
