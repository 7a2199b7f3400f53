# Sourced by the other scripts: where the project's tools live.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
# Pinned: 0.3.11 needs a newer rustc than these machines have.
CARGO_LEPTOS_VERSION=0.3.10
# Debian's wasm-opt (binaryen 108) silently breaks hydration of release builds.
BINARYEN_VERSION=132.0.0
# The same binaryen compiled natively, once per machine like cargo's tools,
# when `scripts/setup test` has built it; else npm's, in this checkout.
native_wasm_opt="${XDG_DATA_HOME:-$HOME/.local/share}/binaryen-${BINARYEN_VERSION%%.*}/bin/wasm-opt"
export PATH="${native_wasm_opt%/*}:$tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
