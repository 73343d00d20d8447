#!/usr/bin/env python3
"""boto3 side of the S3 checksum and recovery integration tests: reads back the checksum S3 stored
and the object's metadata, and computes the checksums the body should have with hashlib and zlib,
so nothing is checked with our own S3 code. Credentials come from AWS_ACCESS_KEY_ID /
AWS_SECRET_ACCESS_KEY in the environment.

    s3_recovery_helper.py head --endpoint URL --bucket B --key K [--part-size N]
        -> JSON: "Stored" (ChecksumSHA256, ChecksumCRC32, ChecksumType as GetObject with
           ChecksumMode=ENABLED returns them), "Metadata" (x-amz-meta-*), "Expected" (SHA256 and
           CRC32 of the body read back, base64; with --part-size the composite of parts of that size
           as "<base64>-<parts>")
    s3_recovery_helper.py start-upload --endpoint URL --bucket B --key K  -> JSON {"UploadId"}
    s3_recovery_helper.py uploads --endpoint URL --bucket B               -> JSON [{"Key", "UploadId"}]

Exit status 0 on success; on an S3 error prints {"Error": {"Code", "Message"}} and exits 3.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
import zlib

import botocore.exceptions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from s3_helper import client  # noqa: E402


def sha256(data):
    return hashlib.sha256(data).digest()


def crc32(data):
    return zlib.crc32(data).to_bytes(4, "big")


def b64(data):
    return base64.b64encode(data).decode()


def head(args):
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
    for name, function in [("head", head), ("start-upload", start_upload), ("uploads", uploads)]:
        command = commands.add_parser(name)
        command.set_defaults(function=function)
        command.add_argument("--endpoint", required=True)
        command.add_argument("--bucket", required=True)
        if name != "uploads":
            command.add_argument("--key", required=True)
        if name == "head":
            command.add_argument("--part-size", type=int, default=0)
    args = parser.parse_args()
    try:
        args.function(args)
    except botocore.exceptions.ClientError as error:
        print(json.dumps({"Error": error.response.get("Error", {})}))
        sys.exit(3)


if __name__ == "__main__":
    main()
