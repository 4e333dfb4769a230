#!/usr/bin/env bash
# Bootstrap a Google Cloud project for prediction-worker: idempotent gcloud/bq calls. Each
# resource is described first and created only when missing; IAM grants are add-binding calls
# (no-ops when the binding exists). Run it before the first deploy, again after it (it then wires
# Pub/Sub and Cloud Scheduler to the live service), and any time after: a run on a complete
# project creates nothing. docs/deploy.md walks through it; test/deploy/bootstrap.test.ts runs it
# against a recording stub gcloud/bq.
#
#   PROJECT_ID=my-project [SLACK_WEBHOOK_URL=https://hooks.slack.com/…] \
#     [SLACK_WEBHOOK_URL_ALERTS=https://hooks.slack.com/…] [SLACK_WEBHOOK_URL_DIGEST=https://hooks.slack.com/…] \
#     deploy/bootstrap.sh
#
# Webhook values are read from the environment and handed to gcloud on stdin, never on a command line.
#
# Names and settings: deploy/settings.sh (all overridable by env). PW_CLI is how the project's CLI
# is run (default `npm run --silent cli --`, from the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/settings.sh
source deploy/settings.sh
PW_CLI="${PW_CLI:-npm run --silent cli --}"
P=(--project="$PROJECT_ID")

log() { echo "[bootstrap] $*" >&2; }

# The operator webhooks are never the user-facing picks channel (config/env.ts refuses it at start;
# refused here before anything is created). Only values given now can be compared.
for pair in "${OPTIONAL_SLACK[@]}"; do
  var="${pair#*:}"
  if [[ -n "${!var:-}" && "${!var}" == "${SLACK_WEBHOOK_URL:-}" ]]; then
    log "$var must not be the picks webhook (SLACK_WEBHOOK_URL → SLACK_WEBHOOK_URL_SIGNALS): give it its own channel, or leave it unset"
    exit 1
  fi
done

# ensure WHAT DESCRIBE… -- CREATE…: run CREATE only when DESCRIBE fails (the resource is missing).
ensure() {
  local what="$1" describe=() create=()
  shift
  while [[ "$1" != "--" ]]; do describe+=("$1"); shift; done
  shift
  create=("$@")
  if "${describe[@]}" >/dev/null 2>&1; then
    log "exists: $what"
  else
    log "create: $what"
    "${create[@]}"
  fi
}

# ---- 1. APIs (enable only the missing ones)
APIS=(run.googleapis.com artifactregistry.googleapis.com cloudbuild.googleapis.com pubsub.googleapis.com
  cloudscheduler.googleapis.com secretmanager.googleapis.com bigquery.googleapis.com iam.googleapis.com
  storage.googleapis.com)
enabled="$(gcloud services list --enabled "${P[@]}" --format='value(config.name)')"
missing=()
for api in "${APIS[@]}"; do grep -qxF "$api" <<<"$enabled" || missing+=("$api"); done
if ((${#missing[@]})); then
  log "enable: ${missing[*]}"
  gcloud services enable "${missing[@]}" "${P[@]}"
else
  log "exists: every API enabled"
fi

PROJECT_NUMBER="$(gcloud projects describe "$PROJECT_ID" --format='value(projectNumber)')"
PUBSUB_AGENT="service-$PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com"
URL="$(service_url)"

# ---- 2. Artifact Registry
ensure "Artifact Registry repository $AR_REPO" \
  gcloud artifacts repositories describe "$AR_REPO" --location="$REGION" "${P[@]}" -- \
  gcloud artifacts repositories create "$AR_REPO" --repository-format=docker --location="$REGION" "${P[@]}" \
  --description="prediction-worker images"

# ---- 3. Service accounts
for pair in "$RUNTIME_SA_NAME:prediction-worker runtime (Cloud Run)" "$PUSH_SA_NAME:Pub/Sub push identity for prediction-worker" \
  "$SCHEDULER_SA_NAME:Cloud Scheduler identity for prediction-worker jobs" "$BUILD_SA_NAME:Cloud Build deployer for prediction-worker"; do
  name="${pair%%:*}"
  ensure "service account $name" \
    gcloud iam service-accounts describe "$(sa_email "$name")" "${P[@]}" -- \
    gcloud iam service-accounts create "$name" --display-name="${pair#*:}" "${P[@]}"
done

# ---- 4. Secret Manager: the Slack webhook (value from SLACK_WEBHOOK_URL on stdin, never argv)
ensure "secret $SLACK_SECRET" \
  gcloud secrets describe "$SLACK_SECRET" "${P[@]}" -- \
  gcloud secrets create "$SLACK_SECRET" --replication-policy=automatic "${P[@]}"
if [[ -z "$(gcloud secrets versions list "$SLACK_SECRET" --limit=1 --format='value(name)' "${P[@]}")" ]]; then
  if [[ -z "${SLACK_WEBHOOK_URL:-}" ]]; then
    log "secret $SLACK_SECRET has no version: rerun with SLACK_WEBHOOK_URL=https://hooks.slack.com/… (the service reads version 'latest')"
    exit 1
  fi
  log "create: first version of secret $SLACK_SECRET"
  printf '%s' "$SLACK_WEBHOOK_URL" | gcloud secrets versions add "$SLACK_SECRET" --data-file=- "${P[@]}"
else
  log "exists: a version of secret $SLACK_SECRET"
fi

# The optional operator webhooks (alerts, digest), each its own secret, the same way; without a
# value and without an existing version the secret is not created, nothing is granted on it, and
# deploy.sh leaves its env var out of the service (the worker stores those messages, sends none).
# OPTIONAL_READY lists the secrets that have a version (granted in step 7).
OPTIONAL_READY=()
for pair in "${OPTIONAL_SLACK[@]}"; do
  setting="${pair%%:*}" var="${pair#*:}"
  secret="${!setting}"
  if gcloud secrets describe "$secret" "${P[@]}" >/dev/null 2>&1 \
    && [[ -n "$(gcloud secrets versions list "$secret" --limit=1 --format='value(name)' "${P[@]}")" ]]; then
    log "exists: a version of secret $secret ($var)"
  elif [[ -n "${!var:-}" ]]; then
    ensure "secret $secret" \
      gcloud secrets describe "$secret" "${P[@]}" -- \
      gcloud secrets create "$secret" --replication-policy=automatic "${P[@]}"
    log "create: first version of secret $secret ($var)"
    printf '%s' "${!var}" | gcloud secrets versions add "$secret" --data-file=- "${P[@]}"
  else
    log "skipped: secret $secret — $var not given; the service runs without $var (the monitor job stores and shows, but does not post, those messages). Rerun with $var=https://hooks.slack.com/… to add it, then redeploy"
    continue
  fi
  OPTIONAL_READY+=("$secret")
done

# ---- 5. Models bucket (the champion and challengers are gs:// objects, never baked into the image)
ensure "bucket gs://$MODELS_BUCKET" \
  gcloud storage buckets describe "gs://$MODELS_BUCKET" "${P[@]}" -- \
  gcloud storage buckets create "gs://$MODELS_BUCKET" --location="$REGION" --uniform-bucket-level-access "${P[@]}"

# The source bucket `gcloud builds submit` uploads to (it creates it on first use if missing; made
# here so the build account can be given read access to it before the first build).
ensure "bucket gs://${PROJECT_ID}_cloudbuild" \
  gcloud storage buckets describe "gs://${PROJECT_ID}_cloudbuild" "${P[@]}" -- \
  gcloud storage buckets create "gs://${PROJECT_ID}_cloudbuild" --location=US --uniform-bucket-level-access "${P[@]}"

# ---- 6. BigQuery datasets, tables and compatibility views (src/storage/bigquery/setup.ts)
log "run: bigquery init"
GCP_PROJECT_ID="$PROJECT_ID" BIGQUERY_LOCATION="$BQ_LOCATION" BIGQUERY_DATASET="$BQ_DATASET" \
  BIGQUERY_FEATURES_DATASET="$BQ_FEATURES_DATASET" BIGQUERY_ACTUALS_DATASET="$BQ_ACTUALS_DATASET" \
  BIGQUERY_COMPAT_DATASET="$BQ_COMPAT_DATASET" STORAGE_BACKEND=bigquery PUSH_AUTH=off \
  $PW_CLI bigquery init

# ---- 7. Least-privilege roles
grant_project() { gcloud projects add-iam-policy-binding "$PROJECT_ID" --member="serviceAccount:$1" --role="$2" --condition=None --quiet --format=none; }
grant_dataset() { bq add-iam-policy-binding --member="serviceAccount:$1" --role="$2" "$PROJECT_ID:$3" >/dev/null; }
# runtime: write its own dataset, read the inputs, run query jobs, read models, read the Slack secret
grant_project "$RUNTIME_SA" roles/bigquery.jobUser
grant_dataset "$RUNTIME_SA" roles/bigquery.dataEditor "$BQ_DATASET"
grant_dataset "$RUNTIME_SA" roles/bigquery.dataViewer "$BQ_FEATURES_DATASET"
grant_dataset "$RUNTIME_SA" roles/bigquery.dataViewer "$BQ_ACTUALS_DATASET"
gcloud storage buckets add-iam-policy-binding "gs://$MODELS_BUCKET" --member="serviceAccount:$RUNTIME_SA" --role=roles/storage.objectViewer "${P[@]}" --format=none
gcloud secrets add-iam-policy-binding "$SLACK_SECRET" --member="serviceAccount:$RUNTIME_SA" --role=roles/secretmanager.secretAccessor "${P[@]}" --format=none
for secret in "${OPTIONAL_READY[@]}"; do
  gcloud secrets add-iam-policy-binding "$secret" --member="serviceAccount:$RUNTIME_SA" --role=roles/secretmanager.secretAccessor "${P[@]}" --format=none
  # the deployer lists the secret's versions (metadata, never the value) to decide whether to wire it
  gcloud secrets add-iam-policy-binding "$secret" --member="serviceAccount:$BUILD_SA" --role=roles/secretmanager.viewer "${P[@]}" --format=none
done
# build: push images, deploy revisions that run as the runtime account, check models and tables
grant_project "$BUILD_SA" roles/run.developer
grant_project "$BUILD_SA" roles/logging.logWriter
gcloud iam service-accounts add-iam-policy-binding "$RUNTIME_SA" --member="serviceAccount:$BUILD_SA" --role=roles/iam.serviceAccountUser "${P[@]}" --format=none
gcloud artifacts repositories add-iam-policy-binding "$AR_REPO" --location="$REGION" --member="serviceAccount:$BUILD_SA" --role=roles/artifactregistry.writer "${P[@]}" --format=none
gcloud storage buckets add-iam-policy-binding "gs://$MODELS_BUCKET" --member="serviceAccount:$BUILD_SA" --role=roles/storage.objectViewer "${P[@]}" --format=none
gcloud storage buckets add-iam-policy-binding "gs://${PROJECT_ID}_cloudbuild" --member="serviceAccount:$BUILD_SA" --role=roles/storage.objectViewer "${P[@]}" --format=none
for ds in "$BQ_DATASET" "$BQ_FEATURES_DATASET" "$BQ_ACTUALS_DATASET" "$BQ_COMPAT_DATASET"; do
  grant_dataset "$BUILD_SA" roles/bigquery.metadataViewer "$ds"
done
# Pub/Sub's service agent mints the push tokens and moves dead letters
gcloud iam service-accounts add-iam-policy-binding "$PUSH_SA" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/iam.serviceAccountTokenCreator "${P[@]}" --format=none

# ---- 8. Pub/Sub topics (requests, dead letters) and a pull subscription that keeps dead letters
ensure "topic $REQUEST_TOPIC" gcloud pubsub topics describe "$REQUEST_TOPIC" "${P[@]}" -- gcloud pubsub topics create "$REQUEST_TOPIC" "${P[@]}"
ensure "topic $DEAD_LETTER_TOPIC" gcloud pubsub topics describe "$DEAD_LETTER_TOPIC" "${P[@]}" -- gcloud pubsub topics create "$DEAD_LETTER_TOPIC" "${P[@]}"
ensure "subscription $DEAD_LETTER_SUBSCRIPTION" \
  gcloud pubsub subscriptions describe "$DEAD_LETTER_SUBSCRIPTION" "${P[@]}" -- \
  gcloud pubsub subscriptions create "$DEAD_LETTER_SUBSCRIPTION" --topic="$DEAD_LETTER_TOPIC" --message-retention-duration=7d "${P[@]}"
gcloud pubsub topics add-iam-policy-binding "$DEAD_LETTER_TOPIC" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.publisher "${P[@]}" --format=none

# ---- 9. Wiring to the live service (after the first deploy: cloudbuild.yaml, docs/deploy.md)
if ! gcloud run services describe "$SERVICE" --region="$REGION" "${P[@]}" >/dev/null 2>&1; then
  log "service $SERVICE is not deployed yet. Next: the first build (docs/deploy.md step 3):"
  log "  gcloud builds submit --config=cloudbuild.yaml --service-account=projects/$PROJECT_ID/serviceAccounts/$BUILD_SA --substitutions=_CHAMPION_PATH=gs://$MODELS_BUCKET/…,_CHAMPION_SHA256=…"
  log "then run this script again to create the push subscription and the scheduler jobs."
  exit 0
fi
for sa in "$PUSH_SA" "$SCHEDULER_SA"; do
  gcloud run services add-iam-policy-binding "$SERVICE" --region="$REGION" --member="serviceAccount:$sa" --role=roles/run.invoker "${P[@]}" --format=none
done
ensure "push subscription $PUSH_SUBSCRIPTION" \
  gcloud pubsub subscriptions describe "$PUSH_SUBSCRIPTION" "${P[@]}" -- \
  gcloud pubsub subscriptions create "$PUSH_SUBSCRIPTION" --topic="$REQUEST_TOPIC" \
  --push-endpoint="$URL/predict" --push-auth-service-account="$PUSH_SA" --push-auth-token-audience="$URL" \
  --ack-deadline="$ACK_DEADLINE_SECONDS" --dead-letter-topic="$DEAD_LETTER_TOPIC" \
  --max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS" --min-retry-delay=10s --max-retry-delay=600s "${P[@]}"
gcloud pubsub subscriptions add-iam-policy-binding "$PUSH_SUBSCRIPTION" --member="serviceAccount:$PUBSUB_AGENT" --role=roles/pubsub.subscriber "${P[@]}" --format=none

# Cloud Scheduler → /jobs/* with an OIDC token (same audience; the scheduler account is in PUSH_SERVICE_ACCOUNTS)
schedule_job() {
  local name="$1" schedule="$2" path="$3" body="$4"
  ensure "scheduler job $name" \
    gcloud scheduler jobs describe "$name" --location="$SCHEDULER_LOCATION" "${P[@]}" -- \
    gcloud scheduler jobs create http "$name" --location="$SCHEDULER_LOCATION" --schedule="$schedule" \
    --time-zone="$SCHEDULE_TIME_ZONE" --uri="$URL$path" --http-method=POST \
    --headers=Content-Type=application/json --message-body="$body" \
    --oidc-service-account-email="$SCHEDULER_SA" --oidc-token-audience="$URL" --attempt-deadline=60s "${P[@]}"
}
schedule_job "$SERVICE-grade" "0 6 * * *" /jobs/grade '{"game_date":"yesterday"}'
schedule_job "$SERVICE-monitor" "30 6 * * *" /jobs/monitor '{"game_date":"yesterday","send":true}'
schedule_job "$SERVICE-signals" "0 13 * * *" /jobs/signals '{"game_date":"today"}'
schedule_job "$SERVICE-picks" "15 13 * * *" /jobs/picks '{"game_date":"today","send":true}'

log "done. The service must run with PUSH_AUDIENCE=$URL PUSH_SERVICE_ACCOUNTS=$PUSH_SA,$SCHEDULER_SA (deploy/deploy.sh sets both)."
