# shellcheck shell=bash
# Emulators for the CI-only suites (test/ci/), on loopback ports chosen at start.
# Source this file, then:
#   start_services     build what is missing, start both emulators, wait until they answer, export
#                      BIGQUERY_EMULATOR_ENDPOINT  http://127.0.0.1:<port>  (goccy/bigquery-emulator)
#                      BIGQUERY_EMULATOR_PROJECT   the project the emulator serves
#                      FAKE_GCS_ENDPOINT           http://127.0.0.1:<port>  (fsouza/fake-gcs-server)
#                      STORAGE_EMULATOR_HOST       same as FAKE_GCS_ENDPOINT (read by config/env.ts)
#   stop_services      stop the emulators this shell started (by pid)
# Each piece is also callable alone: build_bigquery_emulator, build_fake_gcs_server,
# start_bigquery_emulator, start_fake_gcs_server. Logs go to $PW_SERVICES_DIR (a temp dir).
#
# Building goccy/bigquery-emulator compiles ZetaSQL (C++) through cgo: ~25 min on 2 cores, and it
# needs clang (gcc 12 rejects go-zetasql v0.5.5: "call to non-constexpr function"); the upstream
# Dockerfile builds with clang++ too. `go install …@v0.6.6` fails on this proxy (no version list),
# so the build uses a throwaway module that requires the pinned version.

BIGQUERY_EMULATOR_VERSION="${BIGQUERY_EMULATOR_VERSION:-v0.6.6}"
FAKE_GCS_SERVER_VERSION="${FAKE_GCS_SERVER_VERSION:-v1.56.1}"
BIGQUERY_EMULATOR_PROJECT="${BIGQUERY_EMULATOR_PROJECT:-pw-test}"
PW_GOBIN="${GOBIN:-$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin}"
PW_SERVICES_DIR="${PW_SERVICES_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/pw-services.XXXXXX")}"
PW_SERVICE_PIDS=()

_pw_log() { echo "[services] $*" >&2; }

_pw_free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# _pw_wait_http NAME URL PID: poll URL until it answers (any HTTP status) or the process dies; 60 s max.
_pw_wait_http() {
  local name="$1" url="$2" pid="$3" i
  for i in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      _pw_log "$name exited during start-up; log: $PW_SERVICES_DIR/$name.log"
      tail -20 "$PW_SERVICES_DIR/$name.log" >&2
      return 1
    fi
    if curl -s -o /dev/null --max-time 2 "$url"; then return 0; fi
    sleep 0.5
  done
  _pw_log "$name did not answer on $url within 60 s; log: $PW_SERVICES_DIR/$name.log"
  return 1
}

build_bigquery_emulator() {
  if [[ -x "$PW_GOBIN/bigquery-emulator" ]]; then return 0; fi
  command -v clang++ >/dev/null || { _pw_log "clang++ is required to build bigquery-emulator (apt-get install clang)"; return 1; }
  local mod
  mod="$(mktemp -d "${TMPDIR:-/tmp}/bqemu.XXXXXX")"
  _pw_log "building goccy/bigquery-emulator $BIGQUERY_EMULATOR_VERSION in $mod (slow: compiles ZetaSQL); log: $PW_SERVICES_DIR/bq-build.log"
  (
    set -e
    cd "$mod"
    go mod init bqemu
    go mod edit -require="github.com/goccy/bigquery-emulator@$BIGQUERY_EMULATOR_VERSION"
    printf '//go:build tools\npackage tools\nimport _ "github.com/goccy/bigquery-emulator/cmd/bigquery-emulator"\n' > tools.go
    GOFLAGS=-mod=mod go mod tidy
    mkdir -p "$PW_GOBIN"
    CGO_ENABLED=1 CC=clang CXX=clang++ GOFLAGS=-mod=mod \
      go build -o "$PW_GOBIN/bigquery-emulator" github.com/goccy/bigquery-emulator/cmd/bigquery-emulator
  ) >"$PW_SERVICES_DIR/bq-build.log" 2>&1 || { _pw_log "build failed; tail of log:"; tail -20 "$PW_SERVICES_DIR/bq-build.log" >&2; return 1; }
  rm -rf "$mod"
}

build_fake_gcs_server() {
  if [[ -x "$PW_GOBIN/fake-gcs-server" ]]; then return 0; fi
  _pw_log "installing fake-gcs-server $FAKE_GCS_SERVER_VERSION"
  GOBIN="$PW_GOBIN" go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_SERVER_VERSION" >"$PW_SERVICES_DIR/gcs-build.log" 2>&1 \
    || { tail -20 "$PW_SERVICES_DIR/gcs-build.log" >&2; return 1; }
}

start_bigquery_emulator() {
  build_bigquery_emulator || return 1
  local port grpc
  port="$(_pw_free_port)"
  grpc="$(_pw_free_port)"
  "$PW_GOBIN/bigquery-emulator" --project="$BIGQUERY_EMULATOR_PROJECT" --host=127.0.0.1 --port="$port" \
    --grpc-port="$grpc" --log-level=warn >"$PW_SERVICES_DIR/bigquery-emulator.log" 2>&1 &
  local pid=$!
  PW_SERVICE_PIDS+=("$pid")
  _pw_wait_http bigquery-emulator "http://127.0.0.1:$port/bigquery/v2/projects/$BIGQUERY_EMULATOR_PROJECT/datasets" "$pid" || return 1
  export BIGQUERY_EMULATOR_ENDPOINT="http://127.0.0.1:$port"
  export BIGQUERY_EMULATOR_PROJECT
  _pw_log "bigquery-emulator (pid $pid) at $BIGQUERY_EMULATOR_ENDPOINT, project $BIGQUERY_EMULATOR_PROJECT"
}

start_fake_gcs_server() {
  build_fake_gcs_server || return 1
  local port
  port="$(_pw_free_port)"
  "$PW_GOBIN/fake-gcs-server" -scheme http -host 127.0.0.1 -port "$port" -backend memory \
    -public-host "127.0.0.1:$port" -external-url "http://127.0.0.1:$port" -log-level warn \
    >"$PW_SERVICES_DIR/fake-gcs-server.log" 2>&1 &
  local pid=$!
  PW_SERVICE_PIDS+=("$pid")
  _pw_wait_http fake-gcs-server "http://127.0.0.1:$port/storage/v1/b" "$pid" || return 1
  export FAKE_GCS_ENDPOINT="http://127.0.0.1:$port"
  export STORAGE_EMULATOR_HOST="$FAKE_GCS_ENDPOINT"
  _pw_log "fake-gcs-server (pid $pid) at $FAKE_GCS_ENDPOINT"
}

start_services() {
  start_fake_gcs_server && start_bigquery_emulator
}

stop_services() {
  local pid
  for pid in "${PW_SERVICE_PIDS[@]}"; do
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  done
  PW_SERVICE_PIDS=()
}
