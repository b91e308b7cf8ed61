#!/usr/bin/env bash
# The whole check, as CI runs it (README command #2):
#   setup -> fmt -> clippy -> cargo test -> UI tests -> real keychain round trip ->
#   build the app -> drive the real window under Xvfb through WebDriver.
# Fails fast with a header naming the step; prints each step's time and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

if [ -n "${CI:-}" ]; then
  # Nothing is rebuilt incrementally on CI: incremental artifacts only cost time and disk.
  export CARGO_INCREMENTAL=0
fi
XVFB_SCREEN="-screen 0 1280x800x24"

# The OS keychain for real: a private D-Bus session with an unlocked gnome-keyring.
keychain_round_trip() {
  dbus-run-session -- scripts/with-keyring.sh \
    cargo test -p paydesk-core --test keychain -- --ignored --nocapture
}

build_app() {
  cargo build -p paydesk-desktop
  # Compile the e2e suite here, so the next step's time is the run itself.
  cargo test -p paydesk-e2e --no-run
}

# The built app in a real window: tauri-driver + WebKitWebDriver under Xvfb, with a working
# keychain (the app reads it at start). Screenshots land in docs/screenshots/.
real_window_e2e() {
  dbus-run-session -- scripts/with-keyring.sh \
    xvfb-run -a -s "$XVFB_SCREEN" \
    cargo test -p paydesk-e2e -- --nocapture --test-threads=1
}

step "setup (scripts/setup.sh)" scripts/setup.sh
step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy -D warnings" cargo clippy --workspace --all-targets -- -D warnings
step "cargo test" cargo test
step "ui typecheck (svelte-check)" npm --prefix ui run check
step "ui tests (vitest)" npm --prefix ui test
step "keychain round trip" keychain_round_trip
step "build app + e2e suite" build_app
step "real-window e2e (xvfb)" real_window_e2e
steps_summary
echo "all checks passed"
