#!/usr/bin/env bash
# Times `dockstep check` on one step with an image, a container-with-publish
# and an http check, side by side with the same three checks written as
# docker CLI calls and curl; then again with FILL (default 1000) unrelated
# stopped containers and as many extra image tags on the engine. Works on
# whatever engine the docker CLI talks to (.ci/engine switches between the
# classic and the current one). Needs hyperfine and jq (apt-get install
# hyperfine jq), the docker CLI, curl and busybox (busybox-static). Run from
# the repository root, holding the shared engine lock when others use it:
#   flock /tmp/dockstep-docker.lock bash cmd/dockstep/testdata/check-measure.sh
# DOCKSTEP=path/to/dockstep uses that binary instead of building one;
# FILL=0 skips the second part; RUNS sets hyperfine's runs (default 30).
# TRACE=1 also says where a warm check's time goes: it runs it under strace
# ten times and gives the median time the engine (or the web server) took
# to answer each request, without and with the extra objects (needs strace).
#
# dockstep check keeps the containers that passed last in its state folder
# (containers.json): "warm" runs keep it, as a learner's check after the
# runner does; "cold" runs remove it before each run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
img=dockstep-measure/web
filler=dockstep-measure/filler
name=dockstep-measure-$$
port=18401
fill=${FILL:-1000}
runs=${RUNS:-30}
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
sock=${sock#unix://}

api() { curl -fsS --unix-socket "$sock" "$@"; }
unfill() {
  docker ps -aq --filter label=dockstep-measure-filler | xargs -r -n 100 docker rm -f >/dev/null 2>&1 || true
  docker images --format '{{.Repository}}:{{.Tag}}' "$filler" | xargs -r -n 100 docker rmi >/dev/null 2>&1 || true
}
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  unfill
  docker rmi "$img" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "engine: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), image store: $(docker info --format '{{.Driver}}')"

# Images made on the spot from the machine's static busybox.
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for app in sh httpd echo true; do ln -s busybox "$work/rootfs/bin/$app"; done
tar -C "$work/rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'EXPOSE 5000' - "$img" >/dev/null
tar -C "$work/rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'LABEL filler=1' - "$filler:base" >/dev/null
docker run -d --name "$name" -p "$port:5000" "$img" sh -c 'echo hello-dockstep > /tmp/index.html; exec httpd -f -p 5000 -h /tmp' >/dev/null
sleep 0.5

if [ -n "${DOCKSTEP:-}" ]; then cp "$DOCKSTEP" "$work/dockstep"; else go build -o "$work/dockstep" ./cmd/dockstep; fi
export XDG_STATE_HOME="$work/state"
cat >"$work/by-hand.sh" <<SH
#!/bin/sh
set -e
docker image inspect $img >/dev/null
id=\$(docker ps -q --filter ancestor=$img --filter status=running | head -n1)
test -n "\$id"
docker port "\$id" 5000/tcp | grep -q ':$port\$'
curl -fsS --retry 5 --retry-connrefused --retry-delay 0 http://127.0.0.1:$port/ | grep -q hello-dockstep
SH
chmod +x "$work/by-hand.sh"
check="$work/dockstep check $here/check-measure.md"
$check
"$work/by-hand.sh" && echo "shell script: all three pass"

# measure LABEL: time dockstep check warm and cold, and the shell script;
# the means go to $work/LABEL.json.
measure() {
  # One --prepare per command: hyperfine runs a single --prepare before
  # every command's runs, which would make the warm runs cold too.
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/$1.json" \
    -n "dockstep check (warm)" --prepare true "$check" \
    -n "dockstep check (cold)" --prepare "rm -f $XDG_STATE_HOME/dockstep/containers.json" "$check" \
    -n "docker CLI + curl" --prepare true "$work/by-hand.sh" \
    -n "dockstep --version" --prepare true "$work/dockstep --version"
}
mean() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .mean * 1000' "$work/$1.json"; }
median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$work/$1.json"; }

# requests LABEL: ten warm checks under strace; for each request the check
# makes (to the engine, or the http check's), the median time from writing
# it to reading the answer's status line.
requests() {
  ((${TRACE:-0})) || return 0
  for _ in $(seq 10); do
    strace -f -tt -e trace=write,read -s 160 -o "$work/trace" $check >/dev/null
    awk '
      /write\([0-9]+, "(GET|HEAD|POST) / {
        fd = $3; sub(/^write\(/, "", fd); sub(/,$/, "", fd)
        split($0, q, "\""); r = q[2]; sub(/ HTTP\/1.*/, "", r); gsub(/\/containers\/[0-9a-f]+/, "/containers/ID", r)
        req[fd] = r; t0[fd] = $2
      }
      /read\([0-9]+, <unfinished/ { fd = $3; sub(/^read\(/, "", fd); sub(/,$/, "", fd); waiting[$1] = fd }
      /HTTP\/1\.[01] [0-9]/ && /read[( ]/ {
        if (match($0, /read\([0-9]+/)) fd = substr($0, RSTART + 5, RLENGTH - 5); else fd = waiting[$1]
        if (fd in req) { split(t0[fd], a, ":"); split($2, b, ":"); printf "%.2f\t%s\n", (b[3] - a[3]) * 1000, req[fd]; delete req[fd] }
      }' "$work/trace"
  done | sort -t "$(printf '\t')" -k2,2 -k1,1n | awk -F '\t' -v label="$1" '
    function flush() { if (n) printf "  %-7s %7.2f ms  %s (%d of 10 runs)\n", label, v[int((n + 1) / 2)], key, n }
    $2 != key { flush(); key = $2; n = 0 }
    { v[++n] = $1 }
    END { flush() }'
}

measure none
requests none
if ((fill > 0)); then
  echo "adding $fill stopped containers and $fill image tags, unrelated to the check"
  seq 1 "$fill" | xargs -P 8 -I{} sh -c "
    curl -fsS --unix-socket $sock -X POST 'http://d/images/$filler:base/tag?repo=$filler&tag=t{}' >/dev/null &&
    curl -fsS --unix-socket $sock -X POST -H 'Content-Type: application/json' \
      -d '{\"Image\":\"$filler:t{}\",\"Cmd\":[\"true\"],\"Labels\":{\"dockstep-measure-filler\":\"1\"}}' \
      'http://d/containers/create?name=dockstep-measure-filler-$$-{}' >/dev/null"
  measure filled
  requests filled
fi

echo
echo "figures (median ms):"
for n in "dockstep check (warm)" "dockstep check (cold)" "docker CLI + curl"; do
  printf '  %-24s none %7.2f' "$n" "$(median none "$n")"
  ((fill > 0)) && printf '   with %d more %7.2f  (%.2fx)' "$fill" "$(median filled "$n")" "$(jq -n "$(median filled "$n") / $(median none "$n")")"
  echo
done
for n in "dockstep check (warm)" "dockstep check (cold)"; do
  printf '  docker CLI + curl / %s: %.1fx\n' "$n" "$(jq -n "$(median none "docker CLI + curl") / $(median none "$n")")"
done
# Where the time goes: starting the process (loading the binary and the
# packages' init, the same for every command) against the check's own work.
start=$(median none "dockstep --version")
printf '  of which starting the process (dockstep --version): %.2f ms; the checks themselves (warm): %.2f ms\n' \
  "$start" "$(jq -n "$(median none "dockstep check (warm)") - $start")"
