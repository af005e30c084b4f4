# Shared by scripts/test and scripts/demo (POSIX sh): the moto emulator in ./.venv.
# shellcheck shell=sh

VENV=${AWSSECRETS_VENV:-.venv}

# Installs moto and the CI validators into $VENV (pinned in tests/requirements.txt), again
# only when that file changes.
ensure_emulator() {
    if [ -x "$VENV/bin/python" ] && cmp -s tests/requirements.txt "$VENV/.awssecrets-requirements"; then
        return
    fi
    echo "==> installing the moto emulator and validators into $VENV" >&2
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt "$VENV/.awssecrets-requirements"
}

# Starts moto on a free loopback port; sets EMULATOR_URL and EMULATOR_PID.
start_emulator() {
    EMULATOR_LOG=$(mktemp "${TMPDIR:-/tmp}/awssecrets-moto.XXXXXX")
    "$VENV/bin/moto_server" -H 127.0.0.1 -p 0 >"$EMULATOR_LOG" 2>&1 &
    EMULATOR_PID=$!
    EMULATOR_URL=
    attempts=0
    while [ -z "$EMULATOR_URL" ]; do
        attempts=$((attempts + 1))
        if [ "$attempts" -gt 300 ] || ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            echo "error: the moto emulator did not start:" >&2
            cat "$EMULATOR_LOG" >&2
            exit 1
        fi
        sleep 0.1
        EMULATOR_URL=$(sed -n 's|.*Running on \(http://127\.0\.0\.1:[0-9]*\).*|\1|p' "$EMULATOR_LOG" | head -n 1)
    done
}

stop_emulator() {
    if [ -n "${EMULATOR_PID:-}" ]; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
        rm -f "$EMULATOR_LOG"
        EMULATOR_PID=
    fi
}

# Installs the real readers the consumer tests run: the shells (zsh, mksh, a static busybox)
# with apt-get, and the npm dotenv package into tests/readers (python-dotenv is in $VENV).
ensure_readers() {
    missing=
    for shell in dash bash zsh mksh busybox; do command -v "$shell" >/dev/null || missing=yes; done
    if [ -n "$missing" ]; then
        echo "==> installing the shells the consumer tests read with" >&2
        sudo_if_needed=
        [ "$(id -u)" = 0 ] || sudo_if_needed=sudo
        $sudo_if_needed apt-get update -qq
        $sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dash bash zsh mksh busybox-static
    fi
    if ! cmp -s tests/readers/package-lock.json tests/readers/node_modules/.awssecrets-lock 2>/dev/null; then
        echo "==> installing the npm dotenv reader into tests/readers" >&2
        npm ci --prefix tests/readers --silent --no-audit --no-fund
        cp tests/readers/package-lock.json tests/readers/node_modules/.awssecrets-lock
    fi
}

# Installs gitlab-ci-local (pinned in tests/gitlab-ci-local) and rsync, which it copies a job's
# files with: the GitLab CI interpreter the ship checks run the components under.
ensure_gitlab_ci_local() {
    command -v rsync >/dev/null || apt_install rsync
    if ! cmp -s tests/gitlab-ci-local/package-lock.json tests/gitlab-ci-local/node_modules/.awssecrets-lock 2>/dev/null; then
        echo "==> installing gitlab-ci-local into tests/gitlab-ci-local" >&2
        npm ci --prefix tests/gitlab-ci-local --silent --no-audit --no-fund
        cp tests/gitlab-ci-local/package-lock.json tests/gitlab-ci-local/node_modules/.awssecrets-lock
    fi
}

# Installs the programs the tests run for real: Go and PHP (their JSON encoders, for masking),
# make and git (what a secret's MAKEFLAGS and GIT_SSH_COMMAND would hijack), zsh and fish (the
# completions) and man (the manual pages).
ensure_test_programs() {
    missing=
    # program:package, for what the tests run: real encoders and parsers (Go, PHP), the
    # consumers (make, git), the shells whose completions are tried (zsh, fish) and man.
    for needed in go:golang-go php:php-cli make:make git:git zsh:zsh fish:fish man:man-db; do
        command -v "${needed%%:*}" >/dev/null || missing="$missing ${needed#*:}"
    done
    # shellcheck disable=SC2086  # a list of packages
    [ -z "$missing" ] || apt_install $missing
}

# Installs tinyproxy, the real HTTP proxy the proxy tests go through (on loopback only).
ensure_proxy() {
    command -v tinyproxy >/dev/null && return
    echo "==> installing tinyproxy for the proxy tests" >&2
    sudo_if_needed=
    [ "$(id -u)" = 0 ] || sudo_if_needed=sudo
    $sudo_if_needed apt-get update -qq
    $sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tinyproxy
}

# Runs a command as root: directly, or through sudo.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        echo "error: $1 needs root (or sudo)" >&2
        exit 1
    fi
}

# Installs Debian packages with apt-get (as root or through sudo).
apt_install() {
    echo "==> apt-get install $*" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ensure_cargo_tool CRATE VERSION: a cargo subcommand (cargo-NAME) at VERSION, installed from
# crates.io with cargo install --locked into CARGO_HOME's bin (kept there for later runs).
ensure_cargo_tool() {
    if cargo "${1#cargo-}" --version 2>/dev/null | grep -q " $2\$"; then
        return
    fi
    echo "==> cargo install --locked $1 $2" >&2
    cargo install --locked --quiet "$1" --version "$2"
}
