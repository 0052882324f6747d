# Sourced by the scripts that test a client against a live server: start_test_server BINARY
# starts `diamond serve` on a free loopback port with a temporary data dir ($work must
# exist) and sets $url and $server_pid; stop_test_server stops it (call it from the
# caller's EXIT trap, so it also runs when a test fails).
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
}

stop_test_server() {
  if [ -n "${server_pid:-}" ]; then
    kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  fi
  return 0
}
