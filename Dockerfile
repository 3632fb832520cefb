# The roster server in a container: SQLite on a volume by default, PostgreSQL through
# DATABASE_URL. docs/deploy.md explains the settings; scripts/docker-check builds and checks it.
#
#   docker build -t roster .
#   docker run -d -p 8000:8000 -v roster-data:/var/lib/roster \
#       -e ROSTER_PUBLIC_URL=https://roster.example.com roster

# Any Rust on Debian bookworm (glibc 2.36, as in the runtime image) that is at least the
# workspace's rust-version (1.89) builds it; rust:1-slim-bookworm follows the newest release.
ARG RUST_IMAGE=rust:1.95-slim-bookworm

# --- planner: the workspace's manifests, with every crate's sources replaced by stubs ---
# Its output changes only when a manifest, Cargo.lock or the set of crate roots changes, so
# the dependency layer below is rebuilt only then.
FROM ${RUST_IMAGE} AS planner
WORKDIR /src
COPY . .
RUN set -eu; \
    mkdir /skeleton; \
    find . -path ./web -prune -o \( -name Cargo.toml -o -name Cargo.lock \) \
        -exec cp --parents -t /skeleton {} +; \
    find . -path ./web -prune -o -type f \( -name lib.rs -o -name main.rs -o -name build.rs \) \
        -exec sh -eu -c 'for root; do \
            mkdir -p "/skeleton/${root%/*}"; \
            case "$root" in \
                */lib.rs) : > "/skeleton/$root" ;; \
                *) echo "fn main() { }" > "/skeleton/$root" ;; \
            esac; \
        done' sh {} +

# --- builder ---
FROM ${RUST_IMAGE} AS builder
# The slim image has gcc and libc6-dev, which is all the build needs: SQLite is compiled in
# (libsqlite3-sys "bundled"), TLS is rustls with ring (no OpenSSL, no cmake), and no crate
# links libpq.
WORKDIR /build
# Dependencies only, against the stubs. Then the stubs' fingerprints are removed, so Cargo
# rebuilds every workspace crate from the real sources below whatever their timestamps
# (files copied into an image may be older than these artefacts).
COPY --from=planner /skeleton/ ./
RUN cargo build --release --locked -p roster-server \
    && rm -rf target/release/.fingerprint/roster-*
COPY . .
# The last check fails the build if the stub binary survived: only the real one prints the schema.
RUN cargo build --release --locked -p roster-server \
    && install -m 0755 target/release/roster /usr/local/bin/roster \
    && /usr/local/bin/roster print-schema > /tmp/schema.graphql \
    && grep -q '^type Query' /tmp/schema.graphql

# --- runtime ---
FROM debian:bookworm-slim
# ca-certificates: Roster's TLS roots (PostgreSQL, SMTP) are compiled in, but this bundle
# is a file to name in sslrootcert=PATH, and other tools in the container expect it.
# curl: only for the HEALTHCHECK below; the binary has no probe subcommand.
# Unpinned on purpose: bookworm's security updates replace these versions.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 roster \
    && useradd --system --uid 10001 --gid roster --home-dir /var/lib/roster --no-create-home \
        --shell /usr/sbin/nologin roster \
    && install -d -o roster -g roster -m 0750 /var/lib/roster
COPY --from=builder /usr/local/bin/roster /usr/local/bin/roster

# sqlite:// followed by an absolute path. Point DATABASE_URL at PostgreSQL in production.
# /metrics stays on the container's loopback (127.0.0.1:9100, the default): its mail counters
# tell which emails have accounts. For a scraper outside the container, set
# ROSTER_METRICS_LISTEN=0.0.0.0:9100 and publish only 8000 (docs/deploy.md).
ENV DATABASE_URL=sqlite:///var/lib/roster/roster.db \
    ROSTER_LISTEN=0.0.0.0:8000
# A named volume starts with this folder's owner (roster); a bind mount must be writable by
# uid 10001.
VOLUME /var/lib/roster
WORKDIR /var/lib/roster
USER 10001:10001
EXPOSE 8000

# /healthz answers while the process runs; /readyz also checks the database. Shell form, so
# the port comes from ROSTER_LISTEN at run time and changing it does not break the check.
# The start period covers migrations, which run before the server listens.
# hadolint ignore=DL3025
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${ROSTER_LISTEN##*:}/healthz" || exit 1

# SIGTERM (docker stop) shuts down gracefully: requests in flight finish (at most
# ROSTER_REQUEST_TIMEOUT_SECS, 30 s) and websockets get a close frame. Stop with -t 45.
ENTRYPOINT ["roster"]
CMD ["serve"]
