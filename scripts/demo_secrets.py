"""Seeds the local emulator with the demo secrets of scripts/demo."""
import json
import sys

import boto3

secrets = boto3.client(
    "secretsmanager",
    endpoint_url=sys.argv[1],
    region_name="eu-west-1",
    aws_access_key_id="demo",
    aws_secret_access_key="demo",
)
secrets.create_secret(
    Name="ci/npm",
    SecretString=json.dumps({"NPM_TOKEN": "npm_demo0000000000000000", "NPM_REGISTRY": "https://registry.npmjs.org/"}),
)
secrets.create_secret(
    Name="ci/db",
    SecretString=json.dumps(
        {"host": "db.internal", "port": 5432, "user": "ci", "password": "it's a \"demo\" $ecret", "options": {"ssl": True}}
    ),
)
secrets.create_secret(
    Name="ci/deploy-key",
    SecretString="-----BEGIN DEMO KEY-----\nnot-a-real-key\n-----END DEMO KEY-----\n",
)
