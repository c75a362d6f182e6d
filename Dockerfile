# Multi-stage build: cgo is needed for SQLite (mattn/go-sqlite3).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cartwheel ./cmd/cartwheel

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin cartwheel \
 && mkdir -p /data && chown cartwheel:cartwheel /data
COPY --from=build /out/cartwheel /usr/local/bin/cartwheel
USER cartwheel:cartwheel
ENV CARTWHEEL_DATA_DIR=/data \
    CARTWHEEL_ADDR=:8080
VOLUME ["/data"]
EXPOSE 8080
# Probes: GET /healthz (alive) and GET /readyz (ready for traffic).
ENTRYPOINT ["/usr/local/bin/cartwheel"]
CMD ["serve"]
