"""Seeds the emulator's Parameter Store for bench/parameters: /bench/pNNN/III, N SecureString
parameters, for each N.

usage: seed_parameters.py URL N...
"""
import sys

import boto3

url = sys.argv[1]
client = boto3.client("ssm", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="bench", aws_secret_access_key="bench")
for count in map(int, sys.argv[2:]):
    for index in range(count):
        client.put_parameter(
            Name=f"/bench/p{count:03d}/v{index:03d}", Value=f"value-{index}-with-some-length", Type="SecureString"
        )
