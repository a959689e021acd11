# syntax=docker/dockerfile:1
# The controller image: `node src/cli/main.ts controller` on Node 24 (the sources are TypeScript run
# by Node's type stripping, no build step), production dependencies only, distroless and non-root.
# Runs with a read-only root filesystem; nothing is written at run time (mount an emptyDir on /tmp
# for safety). Build: docker build -t incident-manager-operator .  (CI: .github/workflows/image.yml)

ARG NODE_MAJOR=24

# --- production node_modules from the lockfile (the npm client lives only in this stage) ----------
FROM node:${NODE_MAJOR}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script (only the dev-only `node` runtime package does).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/incident-manager-operator/incident-manager-operator
LABEL org.opencontainers.image.title="incident-manager-operator" \
      org.opencontainers.image.description="Kubernetes controller that runs AWS Systems Manager Incident Manager as GitOps" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs${NODE_MAJOR}-debian12:nonroot"
WORKDIR /app
# Owned by root and not writable by the process (UID 65532): the app cannot modify itself.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
ENV NODE_ENV=production
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "src/cli/main.ts"]
CMD ["controller"]
