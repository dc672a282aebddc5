# syntax=docker/dockerfile:1
# Mailroom: build the TypeScript once, then run it as an unprivileged user in a slim image.
# Debian (glibc), not Alpine: TypeScript 7's compiler ships as a glibc binary.

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` runs tsc, which needs the sources copied below.
RUN npm ci --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only (pino-pretty is a devDependency: logs are JSON here, as collectors want).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist/src ./dist/src
COPY migrations ./migrations
COPY config ./config
# data/ holds the embedded database (when database.url is unset), its raw message files and the webhook secret key file.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 8025
# The image's config must set api.listen to 0.0.0.0:8025 for the port to be reachable from outside;
# the check itself runs inside the container. Override MAILROOM_HEALTH_URL if the port differs.
ENV MAILROOM_HEALTH_URL=http://127.0.0.1:8025/health
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.MAILROOM_HEALTH_URL,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `run` finishes in-flight work within 8 s of SIGTERM; Docker's default stop timeout is 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run"]
