#!/bin/sh
# The awssecrets GitHub action (action.yml passes its inputs as INPUT_* variables): downloads
# the static binary for the runner's architecture, verified against the SHA-256 committed in
# action/checksums.txt, unless one is given; then exports the secrets for later steps,
# printing ::add-mask:: for every value first, or, with the scan input, searches paths for
# them.
set -eu

# Workflow command data, as the runner reads it back: %, CR and LF escaped (an input holding a
# line break cannot start a workflow command of its own), other control characters shown as ?.
command_data() {
    printf '%s' "$1" | tr '\000-\011\013\014\016-\037\177' '?' |
        awk 'BEGIN { ORS = "" } { gsub(/%/, "%25"); gsub(/\r/, "%0D"); if (NR > 1) print "%0A"; print }'
}

fail() {
    echo "::error title=awssecrets::$(command_data "$1")"
    exit 1
}

format=${INPUT_FORMAT:-github}
scan=
case "${INPUT_SCAN:-}" in *[![:space:]]*) scan=yes ;; esac
# A composite action's outputs are the ones action.yml declares, fixed before any secret is
# read: step outputs named after the secrets cannot leave it.
if [ -z "$scan" ] && [ "$format" = github-output ]; then
    fail "format github-output cannot work through this action (a composite action exposes only the outputs action.yml declares): run the awssecrets binary in a run: step with an id, see docs/formats.md"
fi
# Any other format on stdout would print every value into the job log, unmasked.
if [ -z "$scan" ] && [ "$format" != github ] && [ -z "${INPUT_OUTPUT:-}" ]; then
    fail "format $format needs the output input (a file); only format github may write to the log"
fi

binary=${INPUT_BINARY:-}
if [ -z "$binary" ]; then
    [ "$(uname -s)" = Linux ] || fail "awssecrets runs on Linux runners only"
    runner_arch=${RUNNER_ARCH:-$(uname -m)}
    case "$runner_arch" in
        X64 | x86_64) arch=x86_64 ;;
        ARM64 | aarch64) arch=aarch64 ;;
        *) fail "no awssecrets release binary for runner architecture $runner_arch (X64 and ARM64 only): pass one as the binary input" ;;
    esac
    asset=awssecrets-$arch-linux
    version=${INPUT_VERSION:-${ACTION_REF:-}}
    [ -n "$version" ] || fail "cannot tell which release to download: set the version input (or binary)"
    # A commit SHA (how careful workflows pin actions) names no release.
    if printf '%s' "$version" | grep -Eq '^[0-9a-f]{40}$'; then
        fail "the action is pinned to a commit: set the version input to the release tag it belongs to"
    fi
    url=${INPUT_DOWNLOAD_URL:-}
    if [ -z "$url" ]; then
        [ -n "${ACTION_REPOSITORY:-}" ] || fail "cannot tell where to download awssecrets from: set the download-url input (or binary)"
        url="https://github.com/$ACTION_REPOSITORY/releases/download/$version"
    fi
    case "$url" in *[![:graph:]]*) fail "the download-url input must be a single URL" ;; esac
    if printf '%s\n' "$url" | grep -Eqx 'https://[^/?#@]+(/.*)?'; then
        transport="--proto =https --proto-redir =https --location"
        loopback=
    elif printf '%s\n' "$url" | grep -Eqx 'http://(127\.0\.0\.1|localhost)(:[0-9]+)?(/.*)?'; then
        transport="--proto =http --max-redirs 0"
        loopback=yes
    else
        fail "refusing to download awssecrets from $url: https only (plain http only from 127.0.0.1 or localhost)"
    fi

    # The digest comes from this repository, committed before the release was built, never
    # from the place the binary comes from. The action's own tests point at a file of their
    # own, and only for a download from this machine.
    checksums=$(dirname "$0")/checksums.txt
    if [ -n "${AWSSECRETS_ACTION_CHECKSUMS:-}" ]; then
        [ -n "$loopback" ] ||
            fail "AWSSECRETS_ACTION_CHECKSUMS is for the action's own tests, with a download-url on 127.0.0.1: unset it"
        checksums=$AWSSECRETS_ACTION_CHECKSUMS
    fi
    [ -r "$checksums" ] || fail "cannot read $checksums"
    expected=$(awk -v asset="$asset" -v version="$version" \
        '$1 ~ /^[0-9a-f]+$/ && length($1) == 64 && $2 == asset && $3 == version && NF == 3 { print $1 }' "$checksums")
    [ -n "$expected" ] ||
        fail "no SHA-256 of $asset for version $version is committed in action/checksums.txt: set the version input to a release listed there (or binary)"
    [ "$(printf '%s\n' "$expected" | sort -u | wc -l)" = 1 ] ||
        fail "action/checksums.txt has conflicting SHA-256 lines for $asset $version"

    directory=$(mktemp -d "${RUNNER_TEMP:-/tmp}/awssecrets.XXXXXX")
    # shellcheck disable=SC2086  # $transport is a list of flags
    curl --fail --silent --show-error --retry 3 $transport -o "$directory/awssecrets" "$url/$asset" ||
        fail "cannot download $asset from $url"
    actual=$(sha256sum "$directory/awssecrets" | cut -d ' ' -f 1)
    if [ "$expected" != "$actual" ]; then
        rm -rf "$directory"
        fail "the downloaded $asset ($version) has SHA-256 $actual, not the $expected committed in action/checksums.txt: refusing to run it"
    fi
    chmod +x "$directory/awssecrets"
    binary=$directory/awssecrets
fi

# Every value is masked first, whatever the format: a later step may print the file. A scan
# writes nothing and prints no value. Messages name this action's inputs.
if [ -n "$scan" ]; then
    set -- scan --inputs-of github-action
else
    set -- --format "$format" --add-mask --inputs-of github-action
    if [ -n "${INPUT_OUTPUT:-}" ]; then set -- "$@" --output "$INPUT_OUTPUT"; fi
    if [ -n "${INPUT_PREFIX:-}" ]; then set -- "$@" --prefix "$INPUT_PREFIX"; fi
    if [ "${INPUT_UPPERCASE:-false}" = true ]; then set -- "$@" --uppercase; fi
fi
if [ -n "${INPUT_REGION:-}" ]; then set -- "$@" --region "$INPUT_REGION"; fi
if [ -n "${INPUT_ROLE_TO_ASSUME:-}" ]; then set -- "$@" --role-arn "$INPUT_ROLE_TO_ASSUME"; fi
if [ -n "${INPUT_ROLE_SESSION_NAME:-}" ]; then set -- "$@" --role-session-name "$INPUT_ROLE_SESSION_NAME"; fi
if [ "${INPUT_ONLY_LISTED_KEYS:-false}" = true ]; then set -- "$@" --only-listed-keys; fi

# Each line is one SPEC (commas belong to the SPEC), each allowed name one option.
specs=${INPUT_SECRET_IDS:-}
[ -n "$(printf '%s' "$specs" | tr -d '[:space:]')" ] || fail "the secret-ids input is required"
newline='
'
old_ifs=$IFS
IFS=$newline
set -f # a SPEC such as ci/prod/* is no file pattern
for line in $specs; do
    case "$line" in *[![:space:]]*) set -- "$@" --secret "$line" ;; esac
done
for line in ${INPUT_ALLOW_NAMES:-}; do
    case "$line" in *[![:space:]]*) set -- "$@" --allow-name "$line" ;; esac
done
# The paths to scan, one per line, after -- (a path may start with -).
if [ -n "$scan" ]; then
    set -- "$@" --
    for line in ${INPUT_SCAN:-}; do
        case "$line" in *[![:space:]]*) set -- "$@" "$line" ;; esac
    done
fi
IFS=$old_ifs
set +f
exec "$binary" "$@"
