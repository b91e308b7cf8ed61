#!/usr/bin/env bash
# Benchmarks: the core engine (`cargo bench -p paydesk-core`), the sandbox's throughput
# (`cargo bench -p paydesk-sandbox`) and the app's startup time and memory in a real window
# (tests/e2e/src/bin/app_startup.rs), all release builds.
#   scripts/bench.sh [--runs N]     (arguments go to the startup benchmark; default 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

startup_bench() {
  dbus-run-session -- scripts/with-keyring.sh \
    xvfb-run -a -s "-screen 0 1280x800x24" \
    cargo run -q -p paydesk-e2e --bin app_startup --release -- "$@"
}

step "setup (scripts/setup.sh)" scripts/setup.sh
# The reference Node/Express webhook handler for `--bench webhook` (skipped without node).
if command -v node >/dev/null; then
  step "node reference handler (npm ci)" npm ci --silent --prefix bench/node-webhook
fi
step "core benchmarks (cargo bench)" cargo bench -p paydesk-core
step "sandbox throughput (cargo bench)" cargo bench -p paydesk-sandbox --bench throughput
step "build app (release)" cargo build -p paydesk-desktop --release
step "build startup bench (release)" cargo build -p paydesk-e2e --bin app_startup --release
step "app startup + memory (xvfb)" startup_bench "$@"
steps_summary
