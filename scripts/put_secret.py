"""Creates one secret in a local emulator: put_secret.py URL NAME VALUE [CA_BUNDLE]."""
import sys

import boto3

url, name, value = sys.argv[1:4]
verify = sys.argv[4] if len(sys.argv) > 4 else None
boto3.client(
    "secretsmanager",
    endpoint_url=url,
    region_name="eu-west-1",
    aws_access_key_id="demo",
    aws_secret_access_key="demo",
    verify=verify,
).create_secret(Name=name, SecretString=value)
