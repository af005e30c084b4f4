#!/bin/sh
# What a CI job does without awssecrets: one AWS CLI call per secret, jq to turn its JSON into
# KEY=value lines.   usage: cli-loop.sh ENDPOINT_URL SECRET_ID...
set -eu
endpoint=$1
shift
for id in "$@"; do
    aws secretsmanager get-secret-value --endpoint-url "$endpoint" --region eu-west-1 \
        --secret-id "$id" --query SecretString --output text |
        jq -r 'to_entries[] | "\(.key)=\(.value)"'
done
