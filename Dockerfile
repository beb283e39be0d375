# syntax=docker/dockerfile:1
# (BuildKit, Docker's default builder since 23.0, for the cache mounts and $BUILDPLATFORM.)

# callscript in a container: a static binary on distroless, running as a non-root user, with
# the bundled scripts/ as the default tenants. Mount your own over /scripts:
#
#   docker build -t callscript .
#   docker run -p 8080:8080 -v "$PWD/scripts:/scripts:ro" callscript
#
# docs/operations.md describes the settings (CALLSCRIPT_* environment variables), probes,
# metrics and the admin API.

ARG GO_VERSION=1.26

# ---- build ------------------------------------------------------------------------------
# Built on the machine's own platform and cross-compiled for the target, so that a multi-arch
# build (docker buildx build --platform linux/amd64,linux/arm64) needs no emulation.
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
# The modules first: a change to the sources does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w" -o /out/callscript ./cmd/callscript

# ---- run --------------------------------------------------------------------------------
# distroless/static: CA certificates (for the scripts' fetch to https), time zones, and a
# "nonroot" user (uid 65532); no shell, no package manager.
FROM gcr.io/distroless/static-debian13:nonroot
COPY --from=build /out/callscript /usr/local/bin/callscript
# The bundled tenants, owned by the server's user so that admin uploads (PUT
# /admin/tenants/:tenant/files/*path) can write them when no volume is mounted read-only.
COPY --chown=65532:65532 scripts/ /scripts/
ENV CALLSCRIPT_SCRIPTS=/scripts
USER 65532:65532
VOLUME /scripts
EXPOSE 8080
# No HEALTHCHECK: it would need a shell or a client program inside the image, and distroless
# has neither. Orchestrators probe over HTTP instead: GET /healthz (liveness) and GET /readyz
# (readiness: 503 until the first load of the tenants is done, and again while shutting down).
ENTRYPOINT ["/usr/local/bin/callscript"]
CMD ["serve"]
