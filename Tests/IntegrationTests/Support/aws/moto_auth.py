#!/usr/bin/env python3
"""Adjusts a running moto_server for the credential-chain integration tests.

Usage:
    moto_auth.py allow-assume-role --endpoint URL   # role tweet-ingest-deliver, assumable by user tweet-ingest
    moto_auth.py checks-on --endpoint URL           # verify every later request's signature and IAM policy

moto's /moto-api/reset-auth N lets the next N requests through unchecked; allow-assume-role uses it
to set up and then turns the checks back on (N = 0). The role trusts exactly the user tweet-ingest
with ExternalId ext-1 (moto checks trust policies and their conditions) and may use S3.
"""

import argparse
import json
import urllib.request

import boto3

TRUST_USER_WITH_EXTERNAL_ID = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/tweet-ingest"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "ext-1"}},
            }
        ],
    }
)
ALLOW_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
ALLOW_ASSUME_ROLE = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
)


def reset_auth(endpoint, count):
    request = urllib.request.Request(
        endpoint + "/moto-api/reset-auth", data=str(count).encode(), method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["allow-assume-role", "checks-on"])
    parser.add_argument("--endpoint", required=True)
    args = parser.parse_args()
    if args.action == "allow-assume-role":
        reset_auth(args.endpoint, 1000)
        iam = boto3.client(
            "iam", endpoint_url=args.endpoint, region_name="us-east-1", aws_access_key_id="setup", aws_secret_access_key="setup"
        )
        iam.put_user_policy(UserName="tweet-ingest", PolicyName="sts", PolicyDocument=ALLOW_ASSUME_ROLE)
        iam.create_role(RoleName="tweet-ingest-deliver", AssumeRolePolicyDocument=TRUST_USER_WITH_EXTERNAL_ID)
        iam.put_role_policy(RoleName="tweet-ingest-deliver", PolicyName="s3", PolicyDocument=ALLOW_S3)
    reset_auth(args.endpoint, 0)


if __name__ == "__main__":
    main()
