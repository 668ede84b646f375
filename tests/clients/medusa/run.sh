#!/usr/bin/env bash
# Installs the pinned Medusa clients from the registry (package-lock.json) and drives a spawned
# debug server with them. Needs the debug binary: `cargo build` first (CARGO_TARGET_DIR is
# honoured). Exits non-zero when any step fails.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node run.mjs
