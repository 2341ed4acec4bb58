# Shared by scripts/run and scripts/test: find or install what the build needs, idempotently.
# Everything comes from crates.io, npm or Debian: nothing else is reachable on these machines.
# shellcheck shell=bash

CARGO_LEPTOS_VERSION=0.3.10   # 0.3.11 needs rustc 1.96
SQLX_CLI_VERSION=0.8.6
LEPTOSFMT_VERSION=0.1.33      # formats the view! macros (leptosfmt.toml)
BINARYEN_VERSION=132.0.0      # Debian's wasm-opt (108) breaks hydration of release builds
TOOLS_DIR="${PORTAL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ai-governance-portal}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$PATH"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

apt_updated=
apt_install() {
  command -v apt-get >/dev/null || die "cannot install $* (no apt-get): install it by hand"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_rust() {
  command -v cargo >/dev/null || die "Rust is required: install it with rustup (https://rustup.rs)"
  if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_cargo_leptos() {
  if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
}

# The wasm-bindgen CLI must be exactly the version of the wasm-bindgen crate in Cargo.lock.
ensure_wasm_bindgen() {
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  [ -n "$want" ] || die "Cargo.lock has no wasm-bindgen entry"
  # `|| true`: with pipefail a missing CLI (exit 127) would otherwise end the script under set -e.
  have=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (Cargo.lock pins wasm-bindgen $want; found '${have:-none}')"
    cargo install wasm-bindgen-cli --version "$want" --locked --force
    have=$(wasm-bindgen --version | awk '{ print $2 }')
    [ "$have" = "$want" ] || die "wasm-bindgen CLI is $have but Cargo.lock pins $want: they must match exactly"
  fi
}

ensure_sqlx_cli() {
  if [ "$(cargo sqlx --version 2>/dev/null | awk '{ print $2 }')" != "$SQLX_CLI_VERSION" ]; then
    say "installing sqlx-cli $SQLX_CLI_VERSION"
    cargo install sqlx-cli --version "$SQLX_CLI_VERSION" --locked --no-default-features --features postgres,rustls
  fi
}

ensure_leptosfmt() {
  if [ "$(leptosfmt --version 2>/dev/null | awk '{ print $2 }' || true)" != "$LEPTOSFMT_VERSION" ]; then
    say "installing leptosfmt $LEPTOSFMT_VERSION"
    cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
  fi
}

ensure_node() {
  command -v npm >/dev/null || { say "installing Node.js and npm"; apt_install nodejs npm; }
}

# wasm-opt from npm's binaryen, first on PATH, for release builds.
ensure_wasm_opt() {
  ensure_node
  local bin="$TOOLS_DIR/binaryen/node_modules/.bin"
  if [ ! -x "$bin/wasm-opt" ] || ! "$bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
    mkdir -p "$TOOLS_DIR/binaryen"
    npm install --prefix "$TOOLS_DIR/binaryen" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
  export PATH="$bin:$PATH"
}

# PostgreSQL server binaries for the private cluster. Debian's package would also create and
# start a system cluster; we only want the binaries.
ensure_postgres_binaries() {
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && ! command -v postgres >/dev/null; then
    say "installing PostgreSQL (Debian package postgresql)"
    as_root mkdir -p /etc/postgresql-common
    [ -e /etc/postgresql-common/createcluster.conf ] ||
      echo "create_main_cluster = false" | as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
    apt_install postgresql
  fi
}

ensure_chromium() {
  if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    say "installing Chromium (Debian package chromium)"
    apt_install chromium
  fi
}

# The receipt tests check our signatures with the documented standard command.
ensure_openssl() {
  command -v openssl >/dev/null || { say "installing openssl"; apt_install openssl; }
}

ensure_e2e_packages() {
  ensure_node
  if [ ! -d end2end/node_modules/@playwright/test ] ||
     [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing the browser-test packages (npm ci; no browser download)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --silent)
  fi
}

# Precompressed copies of the browser bundle, which the server sends to browsers that accept
# gzip (it does not compress the wasm on the fly).
precompress_site() {
  gzip -k -9 -f target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css
}

# Starts `server postgres` (a private, throw-away cluster) in the background and exports its
# DATABASE_URL. The caller's EXIT trap must call stop_private_postgres.
PRIVATE_PG_PID=
PRIVATE_PG_DIR=
start_private_postgres() {
  local server=$1 ephemeral=${2:-}
  PRIVATE_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/portal-pg.XXXXXX")
  chmod 755 "$PRIVATE_PG_DIR"   # PostgreSQL runs as its own OS user when we are root
  "$server" --data-dir "$PRIVATE_PG_DIR" postgres $ephemeral >"$PRIVATE_PG_DIR/url" 2>"$PRIVATE_PG_DIR/server.log" &
  PRIVATE_PG_PID=$!
  if DATABASE_URL=$(await_line "$PRIVATE_PG_DIR/url" "$PRIVATE_PG_PID" 's/^DATABASE_URL=//p'); then
    export DATABASE_URL
    return 0
  fi
  cat "$PRIVATE_PG_DIR/server.log" >&2
  die "the private PostgreSQL did not start"
}

stop_private_postgres() {
  stop_process "$PRIVATE_PG_PID"
  PRIVATE_PG_PID=
  if [ -n "$PRIVATE_PG_DIR" ]; then
    rm -rf "$PRIVATE_PG_DIR"
    PRIVATE_PG_DIR=
  fi
}

# Waits up to a minute for background process PID to write to FILE a line from which the sed
# expression EXPR (run with -n) prints something, and prints that. Fails if the process ends.
await_line() {
  local file=$1 pid=$2 expr=$3 found
  for _ in $(seq 1 600); do
    found=$(sed -n "$expr" "$file" 2>/dev/null | head -n 1)
    if [ -n "$found" ]; then
      printf '%s\n' "$found"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Stops background process PID (if any) and waits for it to end.
stop_process() {
  [ -n "$1" ] || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# Starts the test SMTP server (end2end/mailbox.mjs, npm smtp-server) on loopback and sets
# MAILBOX_SMTP_PORT and MAILBOX_URL (what arrived, as JSON). The caller's EXIT trap must call
# stop_mailbox.
MAILBOX_PID=
MAILBOX_LOG=
start_mailbox() {
  MAILBOX_LOG=$(mktemp "${TMPDIR:-/tmp}/mailbox.XXXXXX")
  node end2end/mailbox.mjs >"$MAILBOX_LOG" 2>&1 &
  MAILBOX_PID=$!
  local ports
  if ports=$(await_line "$MAILBOX_LOG" "$MAILBOX_PID" 's/^mailbox smtp=\([0-9]*\) http=\([0-9]*\).*/\1 \2/p'); then
    MAILBOX_SMTP_PORT=${ports% *}
    MAILBOX_URL="http://127.0.0.1:${ports#* }/messages"
    export MAILBOX_SMTP_PORT MAILBOX_URL
    return 0
  fi
  cat "$MAILBOX_LOG" >&2
  die "the test SMTP server did not start"
}

stop_mailbox() {
  stop_process "$MAILBOX_PID"
  MAILBOX_PID=
  [ -z "$MAILBOX_LOG" ] || rm -f "$MAILBOX_LOG"
}

# Starts the test OpenID provider (end2end/oidc-provider.mjs, npm oidc-provider) on loopback
# and sets OIDC_ISSUER; its client is `portal` with the secret `portal-secret`. The caller's
# EXIT trap must call stop_oidc.
OIDC_PID=
OIDC_LOG=
start_oidc() {
  OIDC_LOG=$(mktemp "${TMPDIR:-/tmp}/oidc.XXXXXX")
  node end2end/oidc-provider.mjs >"$OIDC_LOG" 2>&1 &
  OIDC_PID=$!
  if OIDC_ISSUER=$(await_line "$OIDC_LOG" "$OIDC_PID" 's/^oidc issuer=//p'); then
    export OIDC_ISSUER
    return 0
  fi
  cat "$OIDC_LOG" >&2
  die "the test OpenID provider did not start"
}

stop_oidc() {
  stop_process "$OIDC_PID"
  OIDC_PID=
  [ -z "$OIDC_LOG" ] || rm -f "$OIDC_LOG"
}

# Starts the portal in the background on a free port and sets PORTAL_URL once it listens (the
# server binds before it prints its address). The caller's EXIT trap must call stop_portal.
PORTAL_PID=
PORTAL_LOG=
start_portal() {
  local server=$1; shift
  PORTAL_LOG=$(mktemp "${TMPDIR:-/tmp}/portal-server.XXXXXX")
  export PORTAL_LOG   # the browser tests read the demo sign-ins it prints
  "$server" serve --port 0 "$@" >"$PORTAL_LOG" 2>&1 &
  PORTAL_PID=$!
  if PORTAL_URL=$(await_line "$PORTAL_LOG" "$PORTAL_PID" 's/^AI Governance Portal is running at //p'); then
    export PORTAL_URL
    return 0
  fi
  cat "$PORTAL_LOG" >&2
  die "the portal did not start"
}

stop_portal() {
  stop_process "$PORTAL_PID"
  PORTAL_PID=
  [ -z "$PORTAL_LOG" ] || rm -f "$PORTAL_LOG"
}
