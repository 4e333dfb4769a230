# prediction-worker: multi-stage build on slim Node 24 (current LTS), production dependencies only, non-root.
# Models are NOT baked into the image (incident 10.3: a baked file silently beat the configured
# one); the worker fetches CATBOOST_V9_MODEL_PATH and the enabled MONTHLY_MODELS at start-up.

# ---- build: compile TypeScript
FROM node:24-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's postinstall would download GPU (CUDA/TensorRT) files from outside the npm
# registry; the CPU binaries ship inside the package, so skip it (also set in .npmrc).
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY src ./src
RUN npm run build

# ---- deps: production dependencies only
FROM node:24-bookworm-slim AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund \
 # CPU ONNX Runtime for linux only: drop the other platforms' binaries.
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -path '*/linux/*' -exec rm -rf {} + \
 && npm cache clean --force

# ---- runtime
FROM node:24-bookworm-slim
WORKDIR /app
ARG BUILD_COMMIT=unknown
ENV NODE_ENV=production \
    BUILD_COMMIT=${BUILD_COMMIT} \
    PORT=8080 \
    MODEL_CACHE_DIR=/tmp/models
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 8080
# The flags are src/worker/node-flags.ts WORKER_NODE_FLAGS (why each): V8's heap caps
# (docs/worker.md "Memory"; the storage thread gets the same through resourceLimits) and baseline
# code from a function's first call (a new instance's first second of pushes).
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=512", "--always-sparkplug", "dist/src/worker/server.js"]
