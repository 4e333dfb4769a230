#!/usr/bin/env bash
# Deploy one image to Cloud Run so that a revision that never becomes ready never takes traffic.
#
#   deploy/deploy.sh resolve [--champion gs://… --champion-sha256 HEX]
#       print the champion to deploy as CHAMPION_PATH=… / CHAMPION_SHA256=… lines: the given one,
#       else the one the live service runs now (a rebuild never reverts a promotion made with
#       `gcloud run services update --update-env-vars`), else fail (the first deploy must name it).
#   deploy/deploy.sh deploy --image IMAGE --commit SHA --suffix SUFFIX --champion-env FILE
#       1. read the revision serving 100 % now (none on the first deploy);
#       2. render deploy/service.yaml: the image, a new revision name, the champion, PUSH_AUDIENCE =
#          the deterministic service URL, PUSH_SERVICE_ACCOUNTS = push + scheduler accounts, the
#          Slack secrets (an optional one without a version is left out, said on stderr), and
#          traffic pinned to the current revision;
#       3. `gcloud run services replace`: waits until the new revision is ready — its startup probe
#          is GET /ready (champion loaded, tables present). If it never gets ready the command fails,
#          this script stops, and the previous revision keeps 100 % of traffic;
#       4. only then `gcloud run services update-traffic --to-revisions NEW=100`.
# Names: deploy/settings.sh. test/deploy/bootstrap.test.ts runs it against a stub gcloud.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/settings.sh
source deploy/settings.sh
P=(--project="$PROJECT_ID" --region="$REGION")
log() { echo "[deploy] $*" >&2; }

# The live service as gcloud's `flattened[no-pad]` lines (`status.traffic[0].percent: 100`, one
# leaf per line, values unquoted unless they hold a newline or edge space); empty when absent.
# gcloud's own printer, so the step's image (cloud-sdk:slim: no python3 for us, no jq) needs only
# bash.
describe_flat() { gcloud run services describe "$SERVICE" "${P[@]}" --format='flattened[no-pad]' 2>/dev/null || true; }
# flat_get FLAT KEY: the value of one flattened key (literal match), empty when absent.
flat_get() { local k="$2: "; while IFS= read -r line; do [[ "$line" == "$k"* ]] && { echo "${line#"$k"}"; return 0; }; done <<<"$1"; return 0; }
# flat_has FLAT PREFIX: some flattened key starts with PREFIX (literal).
flat_has() { [[ $'\n'"$1" == *$'\n'"$2"* ]]; }
# live_env NAME: the plain value of env var NAME in the live service's container (empty when absent).
live_env() {
  local flat i=0
  flat="$(describe_flat)"
  while flat_has "$flat" "spec.template.spec.containers[0].env[$i]."; do
    if [[ "$(flat_get "$flat" "spec.template.spec.containers[0].env[$i].name")" == "$1" ]]; then
      flat_get "$flat" "spec.template.spec.containers[0].env[$i].value"
      return 0
    fi
    i=$((i + 1))
  done
}
# serving_revision: the revision with 100 % of the live service's traffic (empty when none/absent).
serving_revision() {
  local flat i=0 rev
  flat="$(describe_flat)"
  while flat_has "$flat" "status.traffic[$i]."; do
    rev="$(flat_get "$flat" "status.traffic[$i].revisionName")"
    if [[ "$(flat_get "$flat" "status.traffic[$i].percent")" == 100 && -n "$rev" ]]; then echo "$rev"; return 0; fi
    i=$((i + 1))
  done
}

cmd="${1:-}"
shift || true
declare -A A=()
while (($#)); do
  [[ "$1" == --* && $# -ge 2 ]] || { echo "usage: deploy.sh resolve|deploy --flag value …" >&2; exit 2; }
  A["${1#--}"]="$2"
  shift 2
done

case "$cmd" in
  resolve)
    path="${A[champion]:-}" sha="${A[champion-sha256]:-}"
    if [[ -z "$path" ]]; then
      path="$(live_env CATBOOST_V9_MODEL_PATH)"
      sha="$(live_env CATBOOST_V9_MODEL_SHA256)"
      [[ -n "$path" ]] || { log "no live service to take the champion from: the first deploy needs _CHAMPION_PATH=gs://… (and _CHAMPION_SHA256)"; exit 1; }
      log "keeping the live champion $path"
    fi
    [[ "$path" == gs://* ]] || { log "the production champion must be a gs:// object, got '$path'"; exit 1; }
    # The worker refuses an unpinned gs:// model (PW_ERR_MODEL_UNVERIFIED): a deploy without the sha256
    # would never get ready, so it is refused here, before the image is built.
    [[ "$sha" =~ ^[0-9a-f]{64}$ ]] || { log "the champion needs its sha256 (64 hex, _CHAMPION_SHA256), got '$sha'"; exit 1; }
    echo "CHAMPION_PATH=$path"
    echo "CHAMPION_SHA256=$sha"
    ;;
  deploy)
    IMAGE="${A[image]:?--image}" BUILD_COMMIT="${A[commit]:?--commit}" SUFFIX="${A[suffix]:?--suffix}"
    # shellcheck disable=SC1090
    source "${A[champion-env]:?--champion-env}"
    : "${CHAMPION_PATH:?champion env file lacks CHAMPION_PATH}"
    REVISION="$SERVICE-$SUFFIX"
    [[ "$REVISION" =~ ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || { log "bad revision name $REVISION"; exit 1; }
    PUSH_AUDIENCE="$(service_url)"
    PUSH_SERVICE_ACCOUNTS="$PUSH_SA,$SCHEDULER_SA"
    COMMIT_LABEL="$(tr -c 'a-z0-9_-' '-' <<<"${BUILD_COMMIT:0:40}" | head -c 40)"
    current="$(serving_revision)"
    out="$(mktemp "${TMPDIR:-/tmp}/service.XXXXXX.yaml")"
    sed -e '/^  traffic:/,$d' deploy/service.yaml >"$out"
    # Optional webhooks (settings.sh OPTIONAL_SLACK): wired only when the secret has a version, else
    # the env entry is dropped (a secretKeyRef to a missing secret would keep the revision from starting).
    for pair in "${OPTIONAL_SLACK[@]}"; do
      setting="${pair%%:*}" var="${pair#*:}"
      secret="${!setting}"
      grep -q "^ *# optional secret: $setting " "$out" || { log "deploy/service.yaml lacks the optional entry for $setting"; exit 1; }
      if [[ -n "$(gcloud secrets versions list "$secret" --limit=1 --format='value(name)' --project="$PROJECT_ID" 2>/dev/null)" ]]; then
        log "$var from secret $secret"
      else
        sed -i "/^ *# optional secret: $setting /,+5d" "$out"
        log "$var omitted: secret $secret has no version (or this account may not list it: deploy/bootstrap.sh grants secretmanager.viewer). The monitor job then stores and shows, but does not post, those messages; add it with deploy/bootstrap.sh and redeploy"
      fi
    done
    for v in SERVICE REGION REVISION COMMIT_LABEL RUNTIME_SA IMAGE PROJECT_ID BQ_LOCATION BQ_DATASET \
      BQ_FEATURES_DATASET BQ_ACTUALS_DATASET BQ_COMPAT_DATASET CHAMPION_PATH CHAMPION_SHA256 \
      PUSH_AUDIENCE PUSH_SERVICE_ACCOUNTS BUILD_COMMIT SLACK_SECRET SLACK_ALERTS_SECRET SLACK_DIGEST_SECRET; do
      val="${!v:-}"
      val="${val//\\/\\\\}"
      val="${val//&/\\&}"
      # quoted YAML scalar; sed replacement with | as the delimiter (no value contains it)
      sed -i "s|\${$v}|\"${val//\"/}\"|g" "$out"
    done
    if grep -n '\${' "$out" | grep -v '^[0-9]*:[[:space:]]*#' >&2; then log "unfilled placeholders in the rendered service"; exit 1; fi
    if [[ -n "$current" ]]; then
      printf '  traffic:\n    - revisionName: %s\n      percent: 100\n' "$current" >>"$out"
      log "rendering $REVISION with traffic pinned to $current until it is ready"
    else
      printf '  traffic:\n    - latestRevision: true\n      percent: 100\n' >>"$out"
      log "first deploy: $REVISION takes traffic once ready"
    fi
    if ! gcloud run services replace "$out" "${P[@]}"; then
      log "revision $REVISION did not become ready; traffic stays on ${current:-nothing} (see its logs and GET /ready)"
      exit 1
    fi
    if [[ -n "$current" ]]; then
      gcloud run services update-traffic "$SERVICE" --to-revisions="$REVISION=100" "${P[@]}"
    fi
    log "serving $REVISION"
    ;;
  *)
    echo "usage: deploy/deploy.sh resolve [--champion gs://… --champion-sha256 HEX] | deploy --image I --commit C --suffix S --champion-env FILE" >&2
    exit 2
    ;;
esac
