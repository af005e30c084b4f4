"""What the official GitHub action does per job: one GetSecretValue per secret, with the AWS
SDK's standard retry mode (3 attempts, exponential backoff with jitter).

usage: fleet_boto3.py ENDPOINT_URL SECRET_ID...
"""
import sys

import boto3
from botocore.config import Config

client = boto3.client(
    "secretsmanager",
    endpoint_url=sys.argv[1],
    region_name="eu-west-1",
    config=Config(retries={"mode": "standard"}),
)
for secret_id in sys.argv[2:]:
    client.get_secret_value(SecretId=secret_id)
