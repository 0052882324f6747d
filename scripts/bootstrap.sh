#!/usr/bin/env bash
# Installs the Debian packages diamond needs to build and test, and nothing else.
# Idempotent and non-interactive: packages already present are left alone, and
# apt-get runs only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # libraries (see docs/dependencies.md for why each one)
  libfast-float-dev nlohmann-json3-dev libeigen3-dev libcli11-dev libssl-dev libsimdjson-dev
  libboost-dev libsoci-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev libpugixml-dev
  # what the scale-out tests start on loopback: PostgreSQL on a socket
  # (scripts/test_postgres.sh) and nginx in front of the replicas
  postgresql nginx-light
  # a throwaway TLS certificate for nginx's TLS listener in the tests
  openssl
  # gradient-boosted trees: the C API, plus the CLI package its CMake config insists on
  libxgboost-dev xgboost
  # tests and benchmarks (clang and its runtime: libFuzzer, sanitizers; clang-format for
  # the format check of `make test`)
  clang libclang-rt-14-dev clang-format libgtest-dev libgmock-dev libbenchmark-dev wrk curl
  # web assets (/docs, /console) and the OpenAPI validator, from npm
  nodejs npm
  # the console's end-to-end tests drive Debian's headless Chromium (never a downloaded one)
  chromium
  # the scikit-learn reference for the parity test (Debian's python, not a venv)
  python3 python3-numpy python3-sklearn
  # the references the benchmarks compare against: tree training (xgboost) and
  # read_csv → predict → to_csv (pandas + scikit-learn)
  python3-xgboost python3-pandas
)

missing=()
for p in "${packages[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# A Node.js from another source (as on some images) already provides node and npm.
if command -v node >/dev/null && command -v npm >/dev/null; then
  kept=()
  for p in "${missing[@]}"; do
    [ "$p" = nodejs ] || [ "$p" = npm ] || kept+=("$p")
  done
  missing=("${kept[@]}")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Debian's postgresql package creates and starts a cluster on port 5432 by default; the
  # tests start their own on a socket, so none is created here (nothing left listening).
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    "${sudo_cmd[@]}" mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" | "${sudo_cmd[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm packages, exactly as package-lock.json pins them; reinstalled only when it changes.
web="$(cd "$(dirname "$0")/.." && pwd)/web"
if [ ! -f "$web/node_modules/.package-lock.json" ] ||
   [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  echo "bootstrap: installing web assets (npm ci)" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
