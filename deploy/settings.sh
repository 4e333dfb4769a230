# shellcheck shell=bash
# Names shared by deploy/bootstrap.sh and deploy/deploy.sh (and docs/deploy.md). Every value can be
# overridden from the environment; PROJECT_ID is required. Sourced, never executed.

: "${PROJECT_ID:?set PROJECT_ID to the Google Cloud project id}"
REGION="${REGION:-us-west2}"
SERVICE="${SERVICE:-prediction-worker}"
AR_REPO="${AR_REPO:-nba-props}"
IMAGE_REPO="${IMAGE_REPO:-$REGION-docker.pkg.dev/$PROJECT_ID/$AR_REPO/$SERVICE}"

# Service accounts (dedicated; never the default compute account)
RUNTIME_SA_NAME="${RUNTIME_SA_NAME:-prediction-worker}"
PUSH_SA_NAME="${PUSH_SA_NAME:-prediction-worker-push}"
SCHEDULER_SA_NAME="${SCHEDULER_SA_NAME:-prediction-worker-scheduler}"
BUILD_SA_NAME="${BUILD_SA_NAME:-prediction-worker-build}"
sa_email() { echo "$1@$PROJECT_ID.iam.gserviceaccount.com"; }
RUNTIME_SA="$(sa_email "$RUNTIME_SA_NAME")"
PUSH_SA="$(sa_email "$PUSH_SA_NAME")"
SCHEDULER_SA="$(sa_email "$SCHEDULER_SA_NAME")"
BUILD_SA="$(sa_email "$BUILD_SA_NAME")"

# BigQuery (the worker's env vars of the same meaning: docs/config.md)
BQ_LOCATION="${BQ_LOCATION:-US}"
BQ_DATASET="${BQ_DATASET:-prediction_worker}"
BQ_FEATURES_DATASET="${BQ_FEATURES_DATASET:-nba_predictions}"
BQ_ACTUALS_DATASET="${BQ_ACTUALS_DATASET:-nba_analytics}"
BQ_COMPAT_DATASET="${BQ_COMPAT_DATASET:-prediction_worker_compat}"

# Models, secrets, messaging
MODELS_BUCKET="${MODELS_BUCKET:-$PROJECT_ID-models}"
# Slack webhooks, one Secret Manager secret each (the service reads version 'latest'):
#   SLACK_SECRET        → SLACK_WEBHOOK_URL_SIGNALS  picks, user-facing; required
#   SLACK_ALERTS_SECRET → SLACK_WEBHOOK_URL_ALERTS   champion DEGRADED/RECOVERED; optional
#   SLACK_DIGEST_SECRET → SLACK_WEBHOOK_URL_DIGEST   daily digest, internal; optional, never the picks channel
# An optional secret without a version is not created by bootstrap.sh and its env var is left out of
# the service by deploy.sh (both say so on stderr); the monitor job then stores and shows, but does not post, those.
SLACK_SECRET="${SLACK_SECRET:-slack-webhook-signals}"
SLACK_ALERTS_SECRET="${SLACK_ALERTS_SECRET:-slack-webhook-alerts}"
SLACK_DIGEST_SECRET="${SLACK_DIGEST_SECRET:-slack-webhook-digest}"
# OPTIONAL_SLACK: "SETTING:ENV_VAR" for each optional webhook (bootstrap.sh, deploy.sh).
OPTIONAL_SLACK=(SLACK_ALERTS_SECRET:SLACK_WEBHOOK_URL_ALERTS SLACK_DIGEST_SECRET:SLACK_WEBHOOK_URL_DIGEST)
if [[ "$SLACK_ALERTS_SECRET" == "$SLACK_SECRET" || "$SLACK_DIGEST_SECRET" == "$SLACK_SECRET" || "$SLACK_ALERTS_SECRET" == "$SLACK_DIGEST_SECRET" ]]; then
  echo "deploy/settings.sh: SLACK_SECRET, SLACK_ALERTS_SECRET and SLACK_DIGEST_SECRET must be three different secrets (the alert and digest webhooks are never the picks channel)" >&2
  exit 1
fi
REQUEST_TOPIC="${REQUEST_TOPIC:-prediction-request}"
DEAD_LETTER_TOPIC="${DEAD_LETTER_TOPIC:-$REQUEST_TOPIC-dead-letter}"
PUSH_SUBSCRIPTION="${PUSH_SUBSCRIPTION:-$SERVICE-push}"
DEAD_LETTER_SUBSCRIPTION="${DEAD_LETTER_SUBSCRIPTION:-$DEAD_LETTER_TOPIC-hold}"
# Pub/Sub: the worker answers within Cloud Run's 55 s timeout (deploy/service.yaml), inside this.
ACK_DEADLINE_SECONDS="${ACK_DEADLINE_SECONDS:-60}"
MAX_DELIVERY_ATTEMPTS="${MAX_DELIVERY_ATTEMPTS:-10}"
SCHEDULER_LOCATION="${SCHEDULER_LOCATION:-$REGION}"
SCHEDULE_TIME_ZONE="${SCHEDULE_TIME_ZONE:-America/New_York}"

# Cloud Run's deterministic URL, known before the first deploy: https://SERVICE-PROJECT_NUMBER.REGION.run.app.
# It is both the push audience (subscription and scheduler tokens) and PUSH_AUDIENCE in the service.
# PROJECT_NUMBER from the environment when known (Cloud Build passes its built-in $PROJECT_NUMBER:
# the build account needs no resourcemanager permission), else asked of gcloud.
service_url() {
  local number="${PROJECT_NUMBER:-}"
  [[ -n "$number" ]] || number="$(gcloud projects describe "$PROJECT_ID" --format='value(projectNumber)')"
  [[ -n "$number" ]] || { echo "cannot read the project number of $PROJECT_ID" >&2; return 1; }
  echo "https://$SERVICE-$number.$REGION.run.app"
}
