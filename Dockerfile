# crmguard in a small image for CI and local use: a static binary on
# distroless, as a non-root user, serving an in-memory org with the emulator
# control API on. Build with:
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t crmguard .
#   docker run --rm -p 8080:8080 -e CRMGUARD_EMULATOR_KEY=test-key crmguard
#
# Anything after the image name replaces the default command, e.g.
# `docker run crmguard serve --addr 0.0.0.0:8080 --in-memory --demo`.

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build context has no .git (see .dockerignore), so the version comes
# from this argument rather than from VCS stamping.
ARG VERSION=""
# CGO_ENABLED=0: the SQLite driver is pure Go, so the binary needs no libc
# and runs on an image without one.
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags="-s -w -X github.com/crmguard/crmguard/internal/cli.version=${VERSION}" \
      -o /out/crmguard ./cmd/crmguard

# distroless/static: CA certificates, time zone data (org time zones) and a
# nonroot user (65532), and no shell or package manager.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/crmguard /usr/local/bin/crmguard
USER nonroot:nonroot
# Without --in-memory the database goes to --data-dir, in nonroot's home;
# mount a volume there to keep it.
WORKDIR /home/nonroot
ENV CRMGUARD_DATA_DIR=/home/nonroot/crmguard-data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/crmguard"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--in-memory", "--emulator"]
