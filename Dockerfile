# syntax=docker/dockerfile:1
# ticketbridge as a container: a static binary on an empty base, run as a
# non-root user, its data folder on a volume. scripts/container-check runs
# the same build and the same non-root start without a Docker engine.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ticketbridge ./cmd/ticketbridge \
 && mkdir -p /out/data

FROM scratch
# TLS roots for PSAs reached over HTTPS; nothing else comes from the
# build image.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/ticketbridge /ticketbridge
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
ENV TICKETBRIDGE_DATA_DIR=/data \
    TICKETBRIDGE_ADDR=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/ticketbridge", "health"]
ENTRYPOINT ["/ticketbridge"]
CMD ["serve"]
