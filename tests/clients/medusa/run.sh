#!/usr/bin/env bash
# Installs the pinned Medusa clients from the registry (package-lock.json) and drives a spawned
# debug server with them: run.mjs (accounts, catalogue, orders with both clients), then
# checkout.mjs (the Next.js starter's checkout with @medusajs/js-sdk). Needs the debug binary:
# `cargo build` first (CARGO_TARGET_DIR is honoured). Runs both scripts and exits non-zero when
# either fails.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
status=0
node run.mjs || status=1
node checkout.mjs || status=1
exit "$status"
