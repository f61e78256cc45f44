#!/usr/bin/env bash
# Measures portico's cold start (exec → readiness 200) and idle RSS, N runs, prints the median.
# Each run starts in a fresh empty directory (no config, new SQLite data directory).
# Usage: scripts/coldstart.sh [runs]   (default 5)
set -euo pipefail
runs=${1:-5}
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/portico
go build -o "$bin" ./cmd/portico
port=17007
starts=(); rss=()
for i in $(seq 1 "$runs"); do
  dir=$(mktemp -d)
  t0=$(date +%s%N)
  (cd "$dir" && APP_CONFIG_backend_listen_port=$port LOG_LEVEL=warn exec "$bin" serve) &
  pid=$!
  until curl -fs "http://127.0.0.1:$port/.backstage/health/v1/readiness" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(date +%s%N)
  sleep 2 # idle
  r=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  starts+=($(( (t1 - t0) / 1000000 ))); rss+=("$r")
  rm -rf "$dir"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "cold start ms: ${starts[*]}  median $(median "${starts[@]}")"
echo "idle RSS KiB:  ${rss[*]}  median $(median "${rss[@]}")"
