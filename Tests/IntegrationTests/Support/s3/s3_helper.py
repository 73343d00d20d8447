#!/usr/bin/env python3
"""boto3 side of the tweet-ingest S3 integration tests: sets up moto_server and reads back what
the Swift code wrote, so nothing is checked with our own S3 code.

Usage (credentials for read commands come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN in the environment):

    s3_helper.py setup --endpoint URL [--bucket NAME ...] [--role-sessions N] [--no-auth]
        Creates an IAM user allowed s3:*, its access key, a role allowed s3:* with N assumed-role
        sessions (temporary credentials), and the buckets, all while moto still accepts unsigned
        calls; then turns signature checking on for every later request (POST
        /moto-api/reset-auth 0) unless --no-auth. Prints JSON:
        {"user": {"AccessKeyId", "SecretAccessKey"}, "sessions": [{"AccessKeyId",
        "SecretAccessKey", "SessionToken", "Expiration"}]}
    s3_helper.py head --endpoint URL --bucket B --key K     -> JSON of the object's metadata
    s3_helper.py get --endpoint URL --bucket B --key K      -> JSON metadata + "BodySHA256" (hex), and
                                                               "BodyBase64" for bodies up to 1 MiB
    s3_helper.py list --endpoint URL --bucket B [--prefix P] -> JSON list of keys
    s3_helper.py uploads --endpoint URL --bucket B          -> JSON list of unfinished multipart uploads
    s3_helper.py checksums --endpoint URL --bucket B --key K [--part-size N]
        -> JSON: "Stored" (ChecksumSHA256, ChecksumCRC32, ChecksumType as GetObject with
           ChecksumMode=ENABLED returns them), "Metadata" (x-amz-meta-*), "Expected" (SHA256 and
           CRC32 of the body read back, computed with hashlib and zlib, base64; with --part-size
           the composite of parts of that size as "<base64>-<parts>")
    s3_helper.py start-upload --endpoint URL --bucket B --key K -> JSON {"UploadId"}

Exit status 0 on success; on an S3 error prints {"Error": {"Code", "Message"}} and exits 3.
"""

import argparse
import base64
import gzip
import hashlib
import json
import os
import sys
import urllib.request
import zlib

import boto3
import botocore.config
import botocore.exceptions

ALLOW_S3 = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}],
    }
)


def client(service, endpoint, **keys):
    config = botocore.config.Config(
        retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30, s3={"addressing_style": "path"}
    )
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1", config=config, **keys)


def setup(args):
    anonymous = {"aws_access_key_id": "setup", "aws_secret_access_key": "setup"}
    iam = client("iam", args.endpoint, **anonymous)
    iam.create_user(UserName="tweet-ingest")
    iam.put_user_policy(UserName="tweet-ingest", PolicyName="s3", PolicyDocument=ALLOW_S3)
    key = iam.create_access_key(UserName="tweet-ingest")["AccessKey"]
    sessions = []
    if args.role_sessions:
        role = iam.create_role(RoleName="tweet-ingest-task", AssumeRolePolicyDocument=TRUST)["Role"]
        iam.put_role_policy(RoleName="tweet-ingest-task", PolicyName="s3", PolicyDocument=ALLOW_S3)
        sts = client("sts", args.endpoint, **anonymous)
        for index in range(args.role_sessions):
            credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=f"task-{index}")["Credentials"]
            sessions.append(
                {
                    "AccessKeyId": credentials["AccessKeyId"],
                    "SecretAccessKey": credentials["SecretAccessKey"],
                    "SessionToken": credentials["SessionToken"],
                    "Expiration": credentials["Expiration"].isoformat(),
                }
            )
    s3 = client("s3", args.endpoint, **anonymous)
    for bucket in args.bucket or []:
        s3.create_bucket(Bucket=bucket)
    if not args.no_auth:
        request = urllib.request.Request(
            args.endpoint + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    print(json.dumps({"user": {"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}, "sessions": sessions}))


def metadata(head):
    names = [
        "ContentType", "ContentEncoding", "ContentLength", "ETag", "ServerSideEncryption", "SSEKMSKeyId", "StorageClass",
    ]
    return {name: head[name] for name in names if name in head}


def head(args):
    print(json.dumps(metadata(client("s3", args.endpoint).head_object(Bucket=args.bucket, Key=args.key))))


def get(args):
    answer = client("s3", args.endpoint).get_object(Bucket=args.bucket, Key=args.key)
    result = metadata(answer)
    body = answer["Body"].read()
    result["BodySHA256"] = hashlib.sha256(body).hexdigest()
    if len(body) <= 1024 * 1024:
        result["BodyBase64"] = base64.b64encode(body).decode()
    print(json.dumps(result))


def object_keys(s3, bucket, prefix=""):
    """Every key under the prefix, in key order, across ListObjectsV2 pages."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def list_keys(args):
    print(json.dumps(list(object_keys(client("s3", args.endpoint), args.bucket, args.prefix))))


def download(args):
    """Every object under the prefix, written to the directory under its key."""
    s3 = client("s3", args.endpoint)
    objects = 0
    for key in object_keys(s3, args.bucket, args.prefix):
        path = os.path.join(args.directory, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as file:
            file.write(s3.get_object(Bucket=args.bucket, Key=key)["Body"].read())
        objects += 1
    print(json.dumps({"objects": objects}))


def record_ids(args):
    """Every record's id in the data objects (not _state/ or errors/), in key order, with boto3
    and gzip: an independent reading of what the daemon delivered."""
    s3 = client("s3", args.endpoint)
    ids, objects, errors = [], 0, 0
    for key in object_keys(s3, args.bucket):
        if key.startswith("_state/"):
            continue
        answer = s3.get_object(Bucket=args.bucket, Key=key)
        body = answer["Body"].read()
        if answer.get("ContentEncoding") == "gzip" or key.endswith(".gz"):
            body = gzip.decompress(body)
        lines = [line for line in body.split(b"\n") if line]
        if key.startswith("errors/"):
            errors += len(lines)
            continue
        objects += 1
        ids += [json.loads(line)["id"] for line in lines]
    print(json.dumps({"ids": ids, "objects": objects, "error_records": errors}))


def sha256(data):
    return hashlib.sha256(data).digest()


def crc32(data):
    return zlib.crc32(data).to_bytes(4, "big")


def b64(data):
    return base64.b64encode(data).decode()


def checksums(args):
    # GetObject rather than HeadObject: moto 5.2.1's HeadObject drops a composite checksum's
    # "-<parts>" suffix and its ChecksumType; its GetObject returns both, as S3 does.
    answer = client("s3", args.endpoint).get_object(Bucket=args.bucket, Key=args.key, ChecksumMode="ENABLED")
    body = answer["Body"].read()
    stored = {name: answer[name] for name in ("ChecksumSHA256", "ChecksumCRC32", "ChecksumType") if name in answer}
    expected = {"SHA256": b64(sha256(body)), "CRC32": b64(crc32(body))}
    if args.part_size:
        parts = [body[offset : offset + args.part_size] for offset in range(0, len(body), args.part_size)]
        expected["SHA256"] = f"{b64(sha256(b''.join(sha256(part) for part in parts)))}-{len(parts)}"
        expected["CRC32"] = f"{b64(crc32(b''.join(crc32(part) for part in parts)))}-{len(parts)}"
    print(json.dumps({"Stored": stored, "Metadata": answer.get("Metadata", {}), "Expected": expected}))


def start_upload(args):
    answer = client("s3", args.endpoint).create_multipart_upload(Bucket=args.bucket, Key=args.key)
    print(json.dumps({"UploadId": answer["UploadId"]}))


def uploads(args):
    answer = client("s3", args.endpoint).list_multipart_uploads(Bucket=args.bucket)
    print(json.dumps([{"Key": item["Key"], "UploadId": item["UploadId"]} for item in answer.get("Uploads", [])]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, function in [("setup", setup), ("head", head), ("get", get), ("list", list_keys), ("uploads", uploads), ("ids", record_ids),
                           ("checksums", checksums), ("start-upload", start_upload),
                           ("download", download)]:
        command = commands.add_parser(name)
        command.set_defaults(function=function)
        command.add_argument("--endpoint", required=True)
        if name == "setup":
            command.add_argument("--bucket", action="append")
            command.add_argument("--role-sessions", type=int, default=0)
            command.add_argument("--no-auth", action="store_true")
        else:
            command.add_argument("--bucket", required=True)
        if name in ("head", "get", "checksums", "start-upload"):
            command.add_argument("--key", required=True)
        if name == "checksums":
            command.add_argument("--part-size", type=int, default=0)
        if name in ("list", "download"):
            command.add_argument("--prefix", default="")
        if name == "download":
            command.add_argument("--directory", required=True)
    args = parser.parse_args()
    try:
        args.function(args)
    except botocore.exceptions.ClientError as error:
        print(json.dumps({"Error": error.response.get("Error", {})}))
        sys.exit(3)


if __name__ == "__main__":
    main()
