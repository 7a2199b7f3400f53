#!/usr/bin/env bash
# Run by `cargo leptos end-to-end` once it has started the console.
set -euo pipefail
cd "$(dirname "$0")"
base="${BASE_URL:-http://127.0.0.1:3000}"
# cargo-leptos does not wait for the server: wait for /healthz (60 s at most).
for _ in $(seq 1 120); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null || { echo "console did not come up at $base" >&2; exit 1; }
exec npx playwright test "$@"
