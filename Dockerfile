# syntax=docker/dockerfile:1

# Node 20.19 is the oldest version package.json allows. The Debian (glibc) image lets
# better-sqlite3 use its prebuilt binary; the build tools below compile it when none matches.
ARG NODE_IMAGE=node:20.19-bookworm-slim

# Compiles the TypeScript sources into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Installs the production dependencies only, in a stage of its own so that the compilers
# needed for a native module never reach the runtime image.
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
# The operator CLI (npx plate-archive …) runs the compiled build here, since tsx is not installed.
COPY bin ./bin

# The node image ships an unprivileged `node` user; it owns the data folder and nothing else.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000

# Liveness only: /healthz answers while the process runs, whether or not the store is reachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]

CMD ["node", "dist/src/server.js"]
