# awssecrets: the static binary, CA roots and a non-root user; by default also a POSIX shell
# (busybox), because GitLab's docker executor runs `script:` with sh inside the job image.
# No ENTRYPOINT, so the image works as a GitLab CI `image:`.
#
# The build context is dist/image/, as scripts/build-image prepares it: etc/ (CA bundle,
# passwd, group), home/, share/ (man pages, bash, zsh and fish completions), and per architecture (amd64/, arm64/) awssecrets and shell/ (busybox,
# its applet links, tmp/). No RUN: building the arm64 image on x86_64 needs no emulator.
#   buildah manifest create awssecrets
#   buildah bud -f Dockerfile --platform linux/arm64 --manifest awssecrets dist/image/   # with a shell
#   buildah bud -f Dockerfile --platform linux/arm64 --build-arg BASE=scratch \
#       --manifest awssecrets-scratch dist/image/                                          # no shell
ARG BASE=with-shell

FROM scratch AS with-shell
ARG TARGETARCH
COPY ${TARGETARCH}/shell/ /

# BASE is a stage of this file or scratch: nothing is pulled.
# hadolint ignore=DL3006
FROM ${BASE}
ARG TARGETARCH
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
COPY etc/ /etc/
COPY share/ /usr/local/share/
COPY --chown=10001:10001 home /home/awssecrets
COPY ${TARGETARCH}/awssecrets /usr/local/bin/awssecrets
ENV PATH=/usr/local/bin:/bin \
    HOME=/home/awssecrets
USER 10001:10001
WORKDIR /home/awssecrets
