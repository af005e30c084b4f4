# awssecrets: the static binary, CA roots and a non-root user; by default also a POSIX shell
# (busybox), because GitLab's docker executor runs `script:` with sh inside the job image.
# No ENTRYPOINT, so the image works as a GitLab CI `image:`.
#
# The build context is dist/, as scripts/build-image prepares it (awssecrets, busybox,
# ca-certificates.crt, passwd, group, home/):
#   buildah bud -f Dockerfile -t awssecrets dist/                          # with a shell
#   buildah bud -f Dockerfile --build-arg BASE=scratch -t awssecrets dist/  # no shell, for init containers
ARG BASE=with-shell

FROM scratch AS with-shell
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -m 1777 /tmp"]

# BASE is a stage of this file or scratch: nothing is pulled.
# hadolint ignore=DL3006
FROM ${BASE}
ARG VERSION=unknown
ARG REVISION=unknown
ARG SOURCE=""
ARG CREATED=""
LABEL org.opencontainers.image.title="awssecrets" \
      org.opencontainers.image.description="Fetch AWS Secrets Manager secrets for CI: print them for a later stage, or run a command with them" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.created="${CREATED}"
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY passwd group /etc/
COPY --chown=10001:10001 home /home/awssecrets
COPY awssecrets /usr/local/bin/awssecrets
ENV PATH=/usr/local/bin:/bin \
    HOME=/home/awssecrets
USER 10001:10001
WORKDIR /home/awssecrets
