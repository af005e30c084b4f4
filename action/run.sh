#!/bin/sh
# The awssecrets GitHub action (action.yml passes its inputs as INPUT_* variables): gets the
# static binary (checksum-verified) unless one is given, then exports the secrets for later
# steps, printing ::add-mask:: for every value first.
set -eu

fail() {
    echo "::error title=awssecrets::$1"
    exit 1
}

format=${INPUT_FORMAT:-github}
# A composite action's outputs are the ones action.yml declares, fixed before any secret is
# read: step outputs named after the secrets cannot leave it.
if [ "$format" = github-output ]; then
    fail "format github-output cannot work through this action (a composite action exposes only the outputs action.yml declares): run the awssecrets binary in a run: step with an id, see the README"
fi
# Any other format on stdout would print every value into the job log, unmasked.
if [ "$format" != github ] && [ -z "${INPUT_OUTPUT:-}" ]; then
    fail "format $format needs the output input (a file); only format github may write to the log"
fi

binary=${INPUT_BINARY:-}
if [ -z "$binary" ]; then
    [ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || fail "awssecrets runs on Linux x86_64 runners only"
    version=${INPUT_VERSION:-${ACTION_REF:-}}
    url=${INPUT_DOWNLOAD_URL:-}
    if [ -z "$url" ]; then
        [ -n "$version" ] && [ -n "${ACTION_REPOSITORY:-}" ] ||
            fail "cannot tell which release to download: set the version input (or binary)"
        # A commit SHA (how careful workflows pin actions) names no release.
        if printf '%s' "$version" | grep -Eq '^[0-9a-f]{40}$'; then
            fail "the action is pinned to a commit: set the version input to the release tag it belongs to"
        fi
        url="https://github.com/$ACTION_REPOSITORY/releases/download/$version"
    fi
    directory=$(mktemp -d "${RUNNER_TEMP:-/tmp}/awssecrets.XXXXXX")
    curl --fail --fail-early --silent --show-error --location --retry 3 \
        -o "$directory/awssecrets" "$url/awssecrets-x86_64-linux" \
        -o "$directory/awssecrets.sha256" "$url/awssecrets-x86_64-linux.sha256" ||
        fail "cannot download awssecrets from $url"
    expected=$(cut -d ' ' -f 1 "$directory/awssecrets.sha256")
    actual=$(sha256sum "$directory/awssecrets" | cut -d ' ' -f 1)
    [ -n "$expected" ] && [ "$expected" = "$actual" ] ||
        fail "the downloaded awssecrets does not match its published SHA-256: refusing to run it"
    chmod +x "$directory/awssecrets"
    binary=$directory/awssecrets
fi

set -- --format "$format"
if [ -n "${INPUT_REGION:-}" ]; then set -- "$@" --region "$INPUT_REGION"; fi
if [ -n "${INPUT_ROLE_TO_ASSUME:-}" ]; then set -- "$@" --role-arn "$INPUT_ROLE_TO_ASSUME"; fi
if [ -n "${INPUT_ROLE_SESSION_NAME:-}" ]; then set -- "$@" --role-session-name "$INPUT_ROLE_SESSION_NAME"; fi
if [ -n "${INPUT_OUTPUT:-}" ]; then set -- "$@" --output "$INPUT_OUTPUT"; fi
if [ -n "${INPUT_PREFIX:-}" ]; then set -- "$@" --prefix "$INPUT_PREFIX"; fi
if [ "${INPUT_UPPERCASE:-false}" = true ]; then set -- "$@" --uppercase; fi

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
IFS=$old_ifs
set +f
exec "$binary" "$@"
