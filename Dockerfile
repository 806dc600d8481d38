# syntax=docker/dockerfile:1
# thituyen app server image (README, "Deployment"). Multi-stage: the toolchain stays in the
# build stage; the final image holds the binary, the hydration bundle and nothing else, and
# runs as an unprivileged user. Not built in CI (no container engine there): build with
#   docker build -t thituyen .
# and run with a volume for the data dir (SQLite, generated key) or DATABASE_URL set:
#   docker run -p 8080:8080 -v thituyen-data:/var/lib/thituyen thituyen

FROM rust:1-bookworm AS build
# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock.
RUN rustup target add wasm32-unknown-unknown \
 && cargo install --locked wasm-bindgen-cli --version 0.2.130
WORKDIR /src
COPY . .
RUN scripts/build-wasm.sh \
 && cargo build --release --locked -p server \
 && strip target/release/server

FROM debian:bookworm-slim
RUN groupadd --system --gid 10001 thituyen \
 && useradd --system --uid 10001 --gid thituyen --home-dir /var/lib/thituyen --no-create-home \
      --shell /usr/sbin/nologin thituyen \
 && install -d -o thituyen -g thituyen -m 0700 /var/lib/thituyen
COPY --from=build /src/target/release/server /usr/local/bin/thituyen
COPY --from=build /src/site /usr/local/share/thituyen/site
ENV THITUYEN_ADDR=0.0.0.0:8080 \
    THITUYEN_DATA_DIR=/var/lib/thituyen \
    THITUYEN_SITE_ROOT=/usr/local/share/thituyen/site
USER thituyen:thituyen
WORKDIR /var/lib/thituyen
VOLUME ["/var/lib/thituyen"]
EXPOSE 8080
# The server drains its write queues on SIGTERM (what `docker stop` sends) before exiting;
# give it time: docker stop --time 60.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/thituyen"]
CMD ["serve"]
