#!/usr/bin/env bash
# Runs a command with an unlocked Secret Service (gnome-keyring) on the current D-Bus session, so
# the OS keychain really works headless. Use it inside a private session bus:
#   dbus-run-session -- scripts/with-keyring.sh cargo test -p paydesk-core --test keychain -- --ignored
# The keyring lives in a temporary directory with a random password and is deleted afterwards,
# so no run sees another run's secrets and nothing touches the user's own login keyring.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: dbus-run-session -- $0 <command> [args...]" >&2
  exit 2
fi
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "with-keyring: no D-Bus session bus; run me inside dbus-run-session" >&2
  exit 2
fi
command -v gnome-keyring-daemon >/dev/null || {
  echo "with-keyring: gnome-keyring-daemon is missing (scripts/setup.sh installs it)" >&2
  exit 2
}

keyring_home=$(mktemp -d "${TMPDIR:-/tmp}/paydesk-keyring.XXXXXX")
trap 'rm -rf "$keyring_home"' EXIT
mkdir -m 700 "$keyring_home/data" "$keyring_home/runtime"
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

# Only the daemon gets the private directories; the command keeps its own environment and reaches
# the keyring over D-Bus (org.freedesktop.secrets).
runtime_dir=${XDG_RUNTIME_DIR:-$keyring_home/runtime}
printf '%s' "$password" |
  XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$runtime_dir" \
    gnome-keyring-daemon --unlock --components=secrets >/dev/null
echo "with-keyring: Secret Service unlocked (temporary keyring)"

set +e
"$@"
rc=$?
set -e
exit "$rc"
