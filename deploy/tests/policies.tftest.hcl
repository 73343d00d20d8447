# The IAM and bucket policies as the real AWS provider renders them, offline: the provider is
# configured to make no call (no credentials check, no account lookup, no metadata service) and
# the two data sources that would call AWS are overridden. Everything asserted here is known at
# plan time because the policies use ARNs built from names (local.bucket_arn) and a given key.

provider "aws" {
  region                      = "eu-west-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "111122223333" }
}

override_data {
  target = data.aws_partition.current
  values = { partition = "aws" }
}

variables {
  region      = "eu-west-1"
  bucket_name = "acme-tweet-ingest-test"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  streams = {
    brexit = { query = "#brexit", prefix = "tweets/brexit/" }
  }
}

run "task_role_is_scoped_to_the_stream" {
  command = plan

  assert {
    condition = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Resource if s.Sid == "ReadWriteOwnObjects"])) == toset([
      "arn:aws:s3:::acme-tweet-ingest-test/tweets/brexit/*",
      "arn:aws:s3:::acme-tweet-ingest-test/_state/brexit.json",
      "arn:aws:s3:::acme-tweet-ingest-test/errors/*",
    ])
    error_message = "object access must be limited to the stream's prefix, its checkpoint and errors/"
  }
  assert {
    condition = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Action if s.Sid == "ReadWriteOwnObjects"])) == toset([
      "s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
    ])
    error_message = "object actions must be exactly put, get and the multipart clean-up"
  }
  assert {
    condition = toset(flatten([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Resource if s.Sid == "RemoveOwnPartialBatches"])) == toset([
      "arn:aws:s3:::acme-tweet-ingest-test/tweets/brexit/*",
      "arn:aws:s3:::acme-tweet-ingest-test/errors/*",
    ]) && flatten([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Action if s.Sid == "RemoveOwnPartialBatches"]) == ["s3:DeleteObject"]
    error_message = "recovery may delete only the stream's data and error objects, never its checkpoint"
  }
  assert {
    condition = [for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : [s.Action, s.Resource] if s.Sid == "FindUnfinishedUploads"] == [
      ["s3:ListBucketMultipartUploads", "arn:aws:s3:::acme-tweet-ingest-test"],
    ]
    error_message = "listing unfinished uploads needs s3:ListBucketMultipartUploads on the bucket alone"
  }
  assert {
    condition = toset([for a in flatten([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Action]) : a if startswith(a, "s3:")]) == toset([
      "s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:DeleteObject",
      "s3:ListBucketMultipartUploads", "s3:ListBucket",
    ])
    error_message = "the task role has exactly the S3 actions the daemon uses"
  }
  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Effect == "Allow" && !contains(flatten([s.Action]), "s3:*") && !contains(flatten([s.Resource]), "*")])
    error_message = "no wildcard action or resource in the task role"
  }
  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s if s.Sid == "EncryptObjectsWithTheBucketKey"]).Resource == "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
    error_message = "KMS use must be limited to the bucket's key"
  }
}

run "bucket_policy_denies_plain_http" {
  command = plan

  assert {
    condition = one(jsondecode(data.aws_iam_policy_document.bucket.json).Statement).Condition == {
      Bool = { "aws:SecureTransport" = "false" }
    } && one(jsondecode(data.aws_iam_policy_document.bucket.json).Statement).Effect == "Deny"
    error_message = "the bucket policy must deny requests without TLS"
  }
}

run "aes256_needs_no_kms_permission" {
  command = plan

  variables {
    sse_algorithm = "AES256"
  }

  assert {
    condition     = length([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s if can(regex("^kms:", flatten([s.Action])[0]))]) == 0
    error_message = "with AES256 the task role has no KMS permission"
  }
}

run "athena_analyst_policy_is_scoped" {
  command = plan

  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.athena_analyst[0].json).Statement : s if s.Sid == "ReadTheStreams"]).Resource == "arn:aws:s3:::acme-tweet-ingest-test/tweets/brexit/*"
    error_message = "analysts read the stream prefixes only"
  }
  assert {
    condition = toset(flatten([one([for s in jsondecode(data.aws_iam_policy_document.athena_analyst[0].json).Statement : s if s.Sid == "WriteAndReadResults"]).Resource])) == toset([
      "arn:aws:s3:::acme-tweet-ingest-test/_athena-results/*",
    ])
    error_message = "analysts write only under the results prefix"
  }
  assert {
    condition = toset(one([for s in jsondecode(data.aws_iam_policy_document.athena_analyst[0].json).Statement : s if s.Sid == "ReadTheCatalog"]).Resource) == toset([
      "arn:aws:glue:eu-west-1:111122223333:catalog",
      "arn:aws:glue:eu-west-1:111122223333:database/tweet_ingest",
      "arn:aws:glue:eu-west-1:111122223333:table/tweet_ingest/*",
    ]) && alltrue([for a in flatten([for s in jsondecode(data.aws_iam_policy_document.athena_analyst[0].json).Statement : s.Action]) : !startswith(a, "glue:") || startswith(a, "glue:Get")])
    error_message = "analysts only read this database's catalog entries"
  }
  assert {
    condition     = alltrue([for s in jsondecode(data.aws_iam_policy_document.athena_analyst[0].json).Statement : s.Effect == "Allow" && !contains(flatten([s.Resource]), "*") && !anytrue([for a in flatten([s.Action]) : endswith(a, ":*")])])
    error_message = "no wildcard action or resource in the analyst policy"
  }
  assert {
    condition     = one([for s in jsondecode(data.aws_iam_policy_document.athena_analyst[0].json).Statement : s if s.Sid == "UseTheBucketKeyThroughS3"]).Condition == { StringEquals = { "kms:ViaService" = "s3.eu-west-1.amazonaws.com" } }
    error_message = "analysts use the bucket's key only through S3"
  }
}

run "task_role_has_no_glue_or_athena" {
  command = plan

  assert {
    condition     = alltrue([for a in flatten([for s in jsondecode(data.aws_iam_policy_document.task["brexit"].json).Statement : s.Action]) : !startswith(a, "glue:") && !startswith(a, "athena:")])
    error_message = "the daemon never calls Glue or Athena: its task role has no such permission"
  }
}
