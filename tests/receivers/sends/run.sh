#!/bin/sh
# Capture real sends from the pinned SDKs as fixtures, inside a loopback-only network namespace
# (nothing can leave the machine: the namespace has no interface but lo).
#
#   tests/receivers/sends/run.sh [RECEIVERS] [OUT]
#
# RECEIVERS: where the pinned SDKs are installed (default target/receivers: pywa 4.5.0 in
# RECEIVERS/python, whatsapp-api-js 6.3.0 in RECEIVERS/node/node_modules, as tests/cli/receivers.rs
# installs them). OUT: the fixture folder (default tests/fixtures/meta-sends).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
RECEIVERS=$(cd "${1:-$ROOT/target/receivers}" && pwd)
OUT=${2:-$ROOT/tests/fixtures/meta-sends}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

if [ "${WA_HOOK_IN_NETNS:-}" != 1 ]; then
    # Re-run this script in a new network namespace (user namespace too, so no root is needed).
    exec unshare -rn env WA_HOOK_IN_NETNS=1 sh -c 'ip link set lo up && exec sh "$0" "$1" "$2"' \
        "$0" "$RECEIVERS" "$OUT"
fi

# Prove the isolation before anything runs.
if ip -o link show | grep -v ': lo:' | grep -q .; then
    echo "not in a loopback-only namespace" >&2
    exit 2
fi

rm -rf "$OUT/pywa" "$OUT/whatsapp-api-js"
FIFO=$(mktemp -u)
mkfifo "$FIFO"
python3 "$HERE/capture_server.py" "$OUT" >"$FIFO" &
SERVER=$!
read -r GRAPH <"$FIFO"
rm -f "$FIFO"
echo "capture server: $GRAPH" >&2

status=0
echo "== pywa" >&2
# Nothing is written into RECEIVERS (no bytecode caches).
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$RECEIVERS/python" GRAPH="$GRAPH" \
    python3 "$HERE/pywa_sends.py" || status=1

echo "== whatsapp-api-js" >&2
# Node resolves imports next to the script: run a copy in a scratch folder that links to the
# installed node_modules (RECEIVERS itself is left untouched).
SCRATCH=$(mktemp -d)
ln -s "$RECEIVERS/node/node_modules" "$SCRATCH/node_modules"
cp "$HERE/whatsapp_api_js_sends.mjs" "$SCRATCH/"
GRAPH="$GRAPH" node "$SCRATCH/whatsapp_api_js_sends.mjs" || status=1
rm -rf "$SCRATCH"

kill "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
exit $status
