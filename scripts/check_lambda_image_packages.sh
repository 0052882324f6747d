#!/usr/bin/env bash
# deploy/lambda/Dockerfile installs the Debian packages the binary needs at run time: each
# library the binary links directly (its ELF NEEDED entries) must come from a package the
# Dockerfile names, or from one every debian:12-slim image has. Catches a new dependency
# that the image would lack (the image itself is built only where Docker is).
# Usage: scripts/check_lambda_image_packages.sh DIAMOND_BINARY
set -euo pipefail
binary=$1
here=$(cd "$(dirname "$0")/.." && pwd)
dockerfile="$here/deploy/lambda/Dockerfile"
in_base_image="libc6 libgcc-s1 libstdc++6 zlib1g"
missing=0
cache=$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p)  # read whole: awk leaving a pipe early would fail the script (pipefail)
for library in $(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  case "$library" in lib[at]san.so*|libubsan.so*) continue ;; esac  # a sanitizer build's, not a release's
  path=$(awk -v lib="$library" '$1 == lib && /x86-64|x86_64|AArch64|aarch64/ {print $NF; exit}' <<< "$cache")
  [ -n "$path" ] || { echo "no path for $library" >&2; missing=1; continue; }
  package=$(dpkg -S "$(readlink -f "$path")" 2> /dev/null || dpkg -S "$path" 2> /dev/null || true)
  package=${package%%:*}
  [ -n "$package" ] || { echo "no package owns $path" >&2; missing=1; continue; }
  if [[ " $in_base_image " == *" $package "* ]]; then continue; fi
  if ! grep -qw -- "$package" "$dockerfile"; then
    echo "$library comes from $package, which deploy/lambda/Dockerfile does not install" >&2
    missing=1
  fi
done
[ "$missing" = 0 ] && echo "deploy/lambda/Dockerfile installs every library $binary needs"
exit "$missing"
