# tweet-ingest container image.
#
#   docker build -t tweet-ingest:dev .
#   docker run --rm --read-only -e TWITTER_BEARER_TOKEN -e TWITTER_QUERY='#brexit' \
#     -v "$PWD/data:/var/lib/tweet-ingest" tweet-ingest:dev run --once
#
# Stage "build" compiles a release binary with the Swift standard library and FoundationEssentials
# linked statically (lld, hot functions placed together: see "Memory" in README.md); stage "runtime" is Debian slim with only the shared libraries that binary links
# (readelf -d: libcurl, libssl/libcrypto, zlib, libzstd, libsnappy, libstdc++, libgcc_s, libc) and CA certificates.
# scripts/container-smoke.sh builds the runtime stage with podman from a locally bootstrapped
# Debian and runs it against the fake X API. The image runs as UID/GID 10001 with a read-only
# root filesystem: everything it writes goes under /var/lib/tweet-ingest (STATE_DIR, and
# OUTPUT_DIR when there is no S3_BUCKET) or /tmp, both declared as volumes.

# ---------------------------------------------------------------------------------------------
FROM swift:6.3-bookworm AS build

# Headers for the system-library targets (CCurl, COpenSSL, CZlib, CRdKafka, CSnappy, CZstd). Versions are not pinned:
# Debian stable only ships security and point-release updates, and it drops the superseded
# version from the archive, so a pin would break the build at the next security fix.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libcurl4-openssl-dev \
        librdkafka-dev \
        libsnappy-dev \
        libssl-dev \
        libzstd-dev \
        pkg-config \
        zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# The manifest first, so the dependency checkout is cached while only sources change.
# (The glob also takes Package.resolved if .dockerignore lets it in.)
COPY Package.* ./
RUN swift package resolve
# SwiftPM checks that every target's folder exists, the test targets' included.
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product tweet-ingest \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/tweet-ingest" /out/tweet-ingest \
    && strip /out/tweet-ingest \
    && /out/tweet-ingest --help >/dev/null

# ---------------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="tweet-ingest" \
      org.opencontainers.image.description="Polls the X API v2 recent search and delivers Firehose-style JSON Lines objects to S3 or a folder" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="debian:bookworm-slim"

# Exactly what the binary links, plus CA certificates for TLS to the X API and S3, and tzdata
# for S3_PREFIX_TIME_ZONE.
# Unpinned for the reason given in the build stage (security updates replace versions).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        libcurl4 \
        libgcc-s1 \
        librdkafka1 \
        libsnappy1v5 \
        libssl3 \
        libstdc++6 \
        libzstd1 \
        tzdata \
        zlib1g \
    && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/apt /var/log/dpkg.log \
    && groupadd --system --gid 10001 tweet-ingest \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /var/lib/tweet-ingest --shell /usr/sbin/nologin tweet-ingest \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/tweet-ingest

COPY --from=build /out/tweet-ingest /usr/local/bin/tweet-ingest

# STATE_DIR holds <STREAM_NAME>.health.json (read by `tweet-ingest healthcheck`); OUTPUT_DIR is used only
# without S3_BUCKET. On ECS the task definition mounts volumes at exactly these two paths, so
# the ownership set above is copied into them.
# GNUTLS_NO_IMPLICIT_INIT: libcurl pulls in GnuTLS through librtmp, and GnuTLS initialises itself
# when loaded (about 1 MiB resident); tweet-ingest's TLS is OpenSSL, so that is skipped. `run` would
# set it and exec itself once without it (GnuTLSImplicitInit.swift); set here, that exec is spared.
ENV STATE_DIR=/var/lib/tweet-ingest \
    OUTPUT_DIR=/var/lib/tweet-ingest/data \
    LOG_FORMAT=json \
    GNUTLS_NO_IMPLICIT_INIT=1
VOLUME ["/var/lib/tweet-ingest", "/tmp"]
WORKDIR /var/lib/tweet-ingest
USER 10001:10001

# The daemon delivers its buffer on SIGTERM within SHUTDOWN_TIMEOUT_SECONDS (default 25 s,
# below ECS's 30 s stopTimeout) and exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/usr/local/bin/tweet-ingest", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/tweet-ingest"]
CMD ["run"]
