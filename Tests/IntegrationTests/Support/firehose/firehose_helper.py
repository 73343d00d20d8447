#!/usr/bin/env python3
"""boto3 side of the tweet-ingest Firehose integration tests: sets up moto_server (IAM users, an S3
bucket, Direct PUT delivery streams writing to it) and reads back what Firehose wrote, so nothing
is checked with our own code.

Usage (credentials for read commands come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the
environment):

    firehose_helper.py setup --endpoint URL --bucket B --stream NAME [--stream NAME ...] [--prefix P]
        Creates, while moto still accepts unsigned calls:
          - user "tweet-ingest-firehose" allowed exactly firehose:PutRecordBatch and
            firehose:DescribeDeliveryStream (Resource "*": moto matches IAM resources against "*"
            for Firehose, so a stream ARN would deny everything),
          - user "tweet-ingest-reader" allowed s3:* (reads the bucket back),
          - user "tweet-ingest-nobody" with no policy at all,
          - the bucket, and each stream as a DirectPut stream with an ExtendedS3 destination
            (the bucket, prefix P, uncompressed).
        Then turns signature and IAM checking on for every later request (POST
        /moto-api/reset-auth 0). Prints JSON {"writer": keys, "reader": keys, "nobody": keys}, keys
        being {"AccessKeyId", "SecretAccessKey"}.
    firehose_helper.py objects --endpoint URL --bucket B [--prefix P]
        Every object under P, in key order, as JSON [{"Key", "Size", "EndsWithNewline", "Lines":
        [record ids, or null for a line that is not a JSON object with a string "id"],
        "InvalidLines": count of lines that are not JSON}].

Exit status 0 on success; on an AWS error prints {"Error": {"Code", "Message"}} and exits 3.
"""

import argparse
import json
import sys
import urllib.request

import boto3
import botocore.config
import botocore.exceptions

ACCOUNT = "123456789012"


def client(service, endpoint, **keys):
    config = botocore.config.Config(
        retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30, s3={"addressing_style": "path"}
    )
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", config=config, **keys)


def policy(actions):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})


def user(iam, name, actions):
    iam.create_user(UserName=name)
    if actions:
        iam.put_user_policy(UserName=name, PolicyName="access", PolicyDocument=policy(actions))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}


def setup(args):
    anonymous = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
    iam = client("iam", args.endpoint, **anonymous)
    users = {
        "writer": user(iam, "tweet-ingest-firehose", ["firehose:PutRecordBatch", "firehose:DescribeDeliveryStream"]),
        "reader": user(iam, "tweet-ingest-reader", ["s3:*"]),
        "nobody": user(iam, "tweet-ingest-nobody", []),
    }
    client("s3", args.endpoint, **anonymous).create_bucket(Bucket=args.bucket)
    firehose = client("firehose", args.endpoint, **anonymous)
    for stream in args.stream:
        firehose.create_delivery_stream(
            DeliveryStreamName=stream,
            DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration={
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-delivery",
                "BucketARN": f"arn:aws:s3:::{args.bucket}",
                "Prefix": args.prefix,
                "CompressionFormat": "UNCOMPRESSED",
            },
        )
    request = urllib.request.Request(
        args.endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    print(json.dumps(users))


def objects(args):
    s3 = client("s3", args.endpoint)
    result = []
    # Filtered here, not with Prefix=: moto's signature check fails for a "/" in the query string.
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args.bucket):
        for item in page.get("Contents", []):
            if not item["Key"].startswith(args.prefix):
                continue
            body = s3.get_object(Bucket=args.bucket, Key=item["Key"])["Body"].read()
            ids, invalid = [], 0
            for line in body.split(b"\n"):
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    invalid += 1
                    continue
                ids.append(record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else None)
            result.append(
                {"Key": item["Key"], "Size": len(body), "EndsWithNewline": body.endswith(b"\n"), "Lines": ids, "InvalidLines": invalid}
            )
    print(json.dumps(result))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, function in [("setup", setup), ("objects", objects)]:
        command = commands.add_parser(name)
        command.set_defaults(function=function)
        command.add_argument("--endpoint", required=True)
        command.add_argument("--bucket", required=True)
        command.add_argument("--prefix", default="")
        if name == "setup":
            command.add_argument("--stream", action="append", required=True)
    args = parser.parse_args()
    try:
        args.function(args)
    except botocore.exceptions.ClientError as error:
        print(json.dumps({"Error": error.response.get("Error", {})}))
        sys.exit(3)


if __name__ == "__main__":
    main()
