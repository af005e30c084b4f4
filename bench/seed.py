"""Seeds the emulator for the benchmark: bench/nNNN/sIII, N secrets of 10 keys, for each N.

usage: seed.py URL N...
"""
import json
import sys

import boto3

url = sys.argv[1]
client = boto3.client(
    "secretsmanager", endpoint_url=url, region_name="eu-west-1", aws_access_key_id="bench", aws_secret_access_key="bench"
)
for count in map(int, sys.argv[2:]):
    for index in range(count):
        value = {f"S{index:03d}_KEY_{key}": f"value-{index}-{key}-with-some-length" for key in range(10)}
        client.create_secret(Name=f"bench/n{count:03d}/s{index:03d}", SecretString=json.dumps(value))
