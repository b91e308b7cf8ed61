# shellcheck shell=bash
# Sourced by the scripts in this folder: named, timed, fail-fast steps and a closing summary.
#
#   step "cargo fmt" cargo fmt --all -- --check
#
# Each step prints a header, runs its command (a program or a shell function) with errexit on,
# prints its time, and on failure prints the summary so far and exits with the step's code.

STEP_NAMES=()
STEP_SECONDS=()
STEP_RESULTS=()
STEPS_STARTED_MS=$(date +%s%3N)

_now_ms() { date +%s%3N; }

_seconds() { # milliseconds -> "12.3"
  local ms=$1
  printf '%d.%d' $((ms / 1000)) $(((ms % 1000) / 100))
}

step() {
  local name=$1
  shift
  printf '\n==== %s ====\n' "$name"
  printf '$ %s\n' "$*"
  local started rc
  started=$(_now_ms)
  # A subshell outside any `if`, so `set -e` holds inside shell functions too.
  set +e
  (
    set -euo pipefail
    "$@"
  )
  rc=$?
  set -e
  local took=$(($(_now_ms) - started))
  STEP_NAMES+=("$name")
  STEP_SECONDS+=("$(_seconds "$took")")
  if [ "$rc" -ne 0 ]; then
    STEP_RESULTS+=("FAILED ($rc)")
    printf '\n==== FAILED: %s (exit %d) after %ss ====\n' "$name" "$rc" "$(_seconds "$took")"
    steps_summary
    exit "$rc"
  fi
  STEP_RESULTS+=("ok")
  printf -- '---- %s: ok in %ss\n' "$name" "$(_seconds "$took")"
}

steps_summary() {
  printf '\n==== summary ====\n'
  local i
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-34s %8ss  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECONDS[$i]}" "${STEP_RESULTS[$i]}"
  done
  printf '  %-34s %8ss\n' "total" "$(_seconds $(($(_now_ms) - STEPS_STARTED_MS)))"
}

# Where `cargo install` puts binaries; also needed on PATH in a fresh login-less CI shell.
cargo_bin_dir() { printf '%s/bin' "${CARGO_HOME:-$HOME/.cargo}"; }
case ":$PATH:" in
  *":$(cargo_bin_dir):"*) ;;
  *) export PATH="$(cargo_bin_dir):$PATH" ;;
esac
