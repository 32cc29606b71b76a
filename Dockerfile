# syntax=docker/dockerfile:1
# One image for every Uplift process: the API (which also serves the built web app), the worker and the
# migration job; the Kubernetes manifests (infra/k8s) choose the command. Build from the repository's root:
#   docker build -t registry.example/uplift:<version> .
# The package manager must be npm 11: package.json's allowScripts (which install scripts may run) is read by npm 11
# only, so it is pinned here rather than taken from the base image's npm 10.
ARG NODE_IMAGE=node:20.20-bookworm-slim
ARG NPM_VERSION=11.19.1

FROM ${NODE_IMAGE} AS build
ARG NPM_VERSION
RUN npm install --global --no-audit --no-fund npm@${NPM_VERSION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm run build:web && npm run build:workflows

# Production dependencies only: no compiler, test runners, embedded PostgreSQL or browsers in the final image.
FROM ${NODE_IMAGE} AS production-dependencies
ARG NPM_VERSION
RUN npm install --global --no-audit --no-fund npm@${NPM_VERSION}
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    WEB_DIST_DIR=/app/apps/web/dist \
    WORKFLOW_BUNDLE_DIR=/app/dist/workflow-bundles
WORKDIR /app
# package.json marks the project's root (libs/config and libs/templates find their files from it).
COPY --from=production-dependencies /app/package.json /app/package-lock.json ./
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
# The shipped roadmaps are read from disk at run time (libs/templates/template-loader.ts).
COPY --from=build /app/libs/templates/roadmaps ./libs/templates/roadmaps
# The base image's unprivileged `node` user (uid 1000); the manifests also demand a non-root uid and a read-only root.
USER 1000:1000
EXPOSE 3000 9464
# Node itself is PID 1 (not npm), so SIGTERM reaches the process's shutdown hooks directly.
CMD ["node", "dist/apps/api/main.js"]
