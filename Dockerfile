# Builds the four self-contained executables (orchestrator, driver, target, loadtest) and
# ships them on a slim Debian; compose.yaml picks the one to run with `command:`.
#   docker build -t kafka-loadtest .
#   docker run --rm kafka-loadtest driver --help

FROM oven/bun:1.4.5 AS build
WORKDIR /app
# Dependencies first, so a source change reuses this layer; patches/ is needed by
# `bun install` (patchedDependencies in package.json).
COPY package.json bun.lock ./
COPY patches ./patches
RUN bun install --frozen-lockfile
COPY . .
# --strict: a missing entry point fails the image build instead of shipping three binaries.
RUN bun run build --strict

FROM debian:bookworm-slim
# The executables embed the Bun runtime; they need only glibc. bash is used by healthchecks.
RUN useradd --system --uid 10001 --home-dir /data --create-home loadtest
COPY --from=build /app/dist/orchestrator /app/dist/driver /app/dist/target /app/dist/loadtest /usr/local/bin/
USER loadtest
WORKDIR /data
CMD ["loadtest", "--help"]
