# canary as one long-lived container: `canary serve` (the command Cloud Run runs).
#
#   docker build --build-arg CANARY_REVISION="$(git rev-parse --short HEAD)" -t canary .
#   docker run --rm -p 8080:8080 canary serve        # demo: the embedded reference backend
#
# Both stages run Node 24, the version the npm scripts use (the node@24 dev dependency). The tag
# pins the major; to pin the exact image as well, append its digest to both FROM lines:
#   FROM node:24-bookworm-slim@sha256:<digest>   (docker buildx imagetools inspect node:24-bookworm-slim)
#
# Configuration. The command is `canary serve --config config`: every *.yaml/*.yml in /app/config
# except templates (*.example.yaml). The image has no /app/config, so without your checks it exits
# 2 at once with "no targets configured: mount your checks at /app/config ..." rather than
# monitoring nothing. (It ships checks/local.yaml for the demo, `canary serve` without --config, and
# the templates in /app/checks.) Give it your checks:
#  - bake them into a derived image:
#        FROM <registry>/canary:<tag>
#        COPY staging.yaml production.yaml /app/config/
#  - or mount them at /app/config. On Cloud Run: a Secret Manager secret as a volume at
#    /app/config (one secret per volume, so one file, one target); with Docker:
#    -v "$PWD/my-checks:/app/config:ro". `canary init` writes a first file.
# Either way the secrets themselves (STAGING_JWT_SECRET, PRODUCTION_JWT_SECRET, CANARY_ADMIN_TOKEN)
# come from the environment, never from a file in the image. deploy/cloudrun/ has the service.
#
# What the context holds is decided by .dockerignore, an allowlist. src/ holds the product alone
# (tests and their tooling live in test/). `npm run build` bundles what src/cli/main.ts reaches, with
# the libraries it imports, into dist/cli/ (esbuild: one chunk per lazily loaded command), which
# starts `serve` to its first result about 30 % sooner than one file per module (README,
# "Memory and start-up"). test/deploy/docker.test.ts replays both stages from this file, and starts
# the result, on every `npm test`.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# --ignore-scripts: the node@24 dev dependency's install script would download a second Node 24
# beside the image's own; esbuild runs from its platform package without its own install script.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# tsconfig.json: esbuild reads its TypeScript settings (verbatimModuleSyntax, the target's class fields).
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
# A 1 MiB young generation instead of V8's default of up to 16 MiB per semi-space: a 90 s soak of
# 50 checks every second peaked at 130 MB RSS (flat) against 244 MB (still growing), idle RSS with
# 50 checks 88 MB against 105 MB, for about 9 % more CPU in scavenges (README, "Memory").
ENV NODE_OPTIONS=--max-semi-space-size=1
WORKDIR /app
# Production dependencies only: no typescript, no esbuild, no node@24, none of canary's @types. The
# bundle carries most libraries itself; @google-cloud/logging and gcp-metadata (loaded only when a
# target reads its backend's logs, or on Cloud Run) and node-cron (only for cron schedules) are
# loaded from here. --ignore-scripts: no production dependency needs an install script.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY checks ./checks
# The source revision, reported as canary_build_info{revision}. Late, so a new revision rebuilds
# only the layers below.
ARG CANARY_REVISION=
ENV CANARY_REVISION=${CANARY_REVISION}
# The files above belong to root: the process can read them, not change them.
USER node
# Cloud Run sets PORT (8080 unless told otherwise); canary serve listens on $PORT, else 8080.
EXPOSE 8080
# For Docker and Compose; Cloud Run ignores it and uses the service's probes instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself, so shutdown drains runs and exits 0.
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--config", "config"]
