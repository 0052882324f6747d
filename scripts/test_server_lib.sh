# Sourced by the scripts that test a client against a live server. use_test_work makes
# $work (a temporary directory) and an EXIT trap that stops the server and removes $work,
# so both happen also when a test fails; start_test_server BINARY starts `diamond serve` on
# a free loopback port with its data dir in $work and sets $url, $server_pid and $admin_key.
use_test_work() {
  work=$(mktemp -d)
  trap 'stop_test_server; rm -rf "$work"' EXIT
}

start_test_server() {
  : > "$work/serve.log"
  "$1" serve --data-dir "$work/var" --listen 127.0.0.1:0 --quiet > "$work/serve.log" 2>&1 &
  server_pid=$!
  url=
  for _ in $(seq 100); do
    url=$(sed -n 's/.*listening on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$work/serve.log" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { echo "the server did not start:" >&2; cat "$work/serve.log" >&2; return 1; }
  admin_key=$(cat "$work/var/admin.key")
}

stop_test_server() {
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  fi
  return 0
}
