#!/usr/bin/env bash
# Installs what building, running and testing Paydesk needs, and only what is missing:
#   - Debian/Ubuntu packages (WebKitGTK, Xvfb, the WebKit WebDriver, gnome-keyring, ...)
#   - tauri-driver (cargo install), rustfmt and clippy (rustup)
#   - the UI's npm packages (npm ci), then builds the UI into ui/dist (the shell embeds it).
# Idempotent: on a machine that has everything it only rebuilds ui/dist when ui/ changed.
# PAYDESK_FORCE_UI_BUILD=1 rebuilds ui/dist anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/steps.sh
source scripts/steps.sh

# System packages, from docs of the shell's build (PLATFORM-NOTES) plus poppler-utils (pdftoppm).
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config libdbus-1-dev
  xvfb xauth webkit2gtk-driver gnome-keyring dbus-user-session libsecret-tools imagemagick
  poppler-utils
)
# The UI's toolchain (Vite 8) needs this Node.js at least.
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null; then
    sudo "$@"
  else
    echo "setup: need root for: $* (and sudo is not installed)" >&2
    return 1
  fi
}

missing_apt_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_system_packages() {
  if ! command -v dpkg-query >/dev/null; then
    echo "setup: this is not a Debian/Ubuntu system; install the equivalents of: ${APT_PACKAGES[*]}" >&2
    return 1
  fi
  local missing
  mapfile -t missing < <(missing_apt_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "all ${#APT_PACKAGES[@]} system packages are installed"
    return 0
  fi
  echo "installing: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

check_toolchains() {
  if ! command -v cargo >/dev/null; then
    echo "setup: cargo is not on PATH: install Rust with rustup (https://rustup.rs), then rerun" >&2
    return 1
  fi
  cargo --version
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR with npm is required for the UI" >&2
    return 1
  fi
  local version major minor
  version=$(node --version)
  IFS=. read -r major minor _ <<<"${version#v}"
  if [ "$major" -lt "$NODE_MIN_MAJOR" ] ||
    { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
    echo "setup: Node.js $version is too old; the UI needs >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR" >&2
    return 1
  fi
  echo "node $version, npm $(npm --version)"
}

install_rust_components() {
  local missing=()
  cargo fmt --version >/dev/null 2>&1 || missing+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || missing+=(clippy)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "rustfmt and clippy are installed"
    return 0
  fi
  if ! command -v rustup >/dev/null; then
    echo "setup: missing ${missing[*]} and rustup is not available to add them" >&2
    return 1
  fi
  rustup component add "${missing[@]}"
}

install_tauri_driver() {
  if command -v tauri-driver >/dev/null; then
    echo "tauri-driver is installed: $(command -v tauri-driver)"
    return 0
  fi
  cargo install tauri-driver --locked --version '^2'
}

install_ui_packages() {
  if [ ! -f ui/package-lock.json ]; then
    echo "setup: ui/package-lock.json is missing; npm ci needs it" >&2
    return 1
  fi
  # npm writes node_modules/.package-lock.json on every install: the time of the last install.
  local marker=ui/node_modules/.package-lock.json
  if [ -f "$marker" ] && [ ! ui/package-lock.json -nt "$marker" ]; then
    echo "ui/node_modules is up to date with ui/package-lock.json"
    return 0
  fi
  npm ci --prefix ui --no-audit --no-fund
}

build_ui() {
  local stamp=ui/dist/index.html
  if [ "${PAYDESK_FORCE_UI_BUILD:-}" != 1 ] && [ -f "$stamp" ]; then
    local newer
    newer=$(find ui -path ui/node_modules -prune -o -path ui/dist -prune -o -type f -newer "$stamp" -print -quit)
    if [ -z "$newer" ]; then
      echo "ui/dist is newer than every source file in ui/"
      return 0
    fi
    echo "rebuilding ui/dist: $newer changed"
  fi
  npm --prefix ui run build
}

step "system packages" install_system_packages
step "toolchains (cargo, node)" check_toolchains
step "rustfmt + clippy" install_rust_components
step "tauri-driver" install_tauri_driver
step "ui packages (npm ci)" install_ui_packages
step "ui build (ui/dist)" build_ui
steps_summary
