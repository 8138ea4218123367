#!/usr/bin/env bash
# Times `dockstep check` on one step with an image, a container-with-publish
# and an http check, side by side with the same three checks written as
# docker CLI calls and curl. Needs hyperfine (apt-get install hyperfine), the
# docker CLI and busybox (busybox-static). Run from the repository root:
#   bash cmd/dockstep/testdata/check-measure.sh
# (DOCKSTEP=path/to/dockstep uses that binary instead of building one)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
img=dockstep-measure/web
name=dockstep-measure-$$
port=18401
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; docker rmi "$img" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

# An image made on the spot from the machine's static busybox.
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for app in sh httpd echo; do ln -s busybox "$work/rootfs/bin/$app"; done
tar -C "$work/rootfs" -c . | docker import -c 'ENV PATH=/bin' -c 'EXPOSE 5000' - "$img" >/dev/null
docker run -d --name "$name" -p "$port:5000" "$img" sh -c 'echo hello-dockstep > /tmp/index.html; exec httpd -f -p 5000 -h /tmp' >/dev/null
sleep 0.5

if [ -n "${DOCKSTEP:-}" ]; then cp "$DOCKSTEP" "$work/dockstep"; else go build -o "$work/dockstep" ./cmd/dockstep; fi
cat > "$work/by-hand.sh" <<SH
#!/bin/sh
set -e
docker image inspect $img >/dev/null
id=\$(docker ps -q --filter ancestor=$img --filter status=running | head -n1)
test -n "\$id"
docker port "\$id" 5000/tcp | grep -q ':$port\$'
curl -fsS --retry 5 --retry-connrefused --retry-delay 0 http://127.0.0.1:$port/ | grep -q hello-dockstep
SH
chmod +x "$work/by-hand.sh"
"$work/dockstep" check "$here/check-measure.md"
"$work/by-hand.sh" && echo "shell script: all three pass"
hyperfine -N --warmup 3 --runs 30 \
	-n "dockstep check" "$work/dockstep check $here/check-measure.md" \
	-n "docker CLI + curl" "$work/by-hand.sh"
