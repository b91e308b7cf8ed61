#!/usr/bin/env bash
# Runs the desktop app (README command #1): installs what is missing, builds the UI, then
# `cargo run -p paydesk-desktop`. Arguments are passed to the app.
# With no API credentials in the keychain the app starts in Test mode on its own SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec cargo run -p paydesk-desktop -- "$@"
fi

cat >&2 <<'EOF'

run: no display ($DISPLAY and $WAYLAND_DISPLAY are unset).
run: starting the app anyway inside a virtual X server (xvfb-run) and a private D-Bus session,
run: so you can check that it starts; its window is not visible and the OS keychain is not
run: unlocked there. Run this from a desktop session to use the app. Ctrl-C to stop.

EOF
exec dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" cargo run -p paydesk-desktop -- "$@"
