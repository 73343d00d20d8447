data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Only tasks of this account may assume the roles (confused-deputy guard).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Execution role (shared): what ECS itself does before the container starts and while it runs:
# pull the image, write the logs, read the bearer token.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-execution"
  description        = "ECS execution role of ${var.name}: pull its image, write its logs, read its bearer token"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "execution" {
  # ecr:GetAuthorizationToken has no resource-level permissions ("*" is the only form); it
  # grants nothing without the repository-scoped statement below.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PullThisRepository"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [aws_ecr_repository.this.arn]
  }

  statement {
    sid       = "WriteThisLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.tasks.arn}:*"]
  }

  statement {
    sid       = "ReadTheBearerToken"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.bearer_secret_arn]
  }

  statement {
    sid       = "DecryptTheBearerToken"
    actions   = ["kms:Decrypt"]
    resources = [local.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "pull-log-secret"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---------------------------------------------------------------------------------------------
# Task roles (one per stream): what the daemon does, on its own keys only.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_role" "task" {
  for_each = local.streams

  name               = "${var.name}-${each.key}-task"
  description        = "tweet-ingest stream ${each.key}: write its objects and checkpoint in ${var.bucket_name}"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "task" {
  for_each = local.streams

  # Data objects (PutObject and multipart uploads), the stream's checkpoint, and the
  # processing-failed records. GetObject: the checkpoint is read at start-up.
  statement {
    sid = "ReadWriteOwnObjects"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = [
      "${local.bucket_arn}/${each.value.prefix}*",
      "${local.bucket_arn}/_state/${each.key}.json",
      "${local.bucket_arn}/${var.error_prefix}*",
    ]
  }

  # Start-up recovery rolls back a batch a crash left half written: it deletes that batch's
  # data or error object. Never the checkpoint, which is only ever overwritten.
  statement {
    sid     = "RemoveOwnPartialBatches"
    actions = ["s3:DeleteObject"]
    resources = [
      "${local.bucket_arn}/${each.value.prefix}*",
      "${local.bucket_arn}/${var.error_prefix}*",
    ]
  }

  # Start-up recovery lists the multipart uploads a crash left unfinished (ListMultipartUploads
  # with the batch's key as prefix) to abort them; the action exists only on the bucket.
  statement {
    sid       = "FindUnfinishedUploads"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [local.bucket_arn]
  }

  # HeadBucket (the start-up check) is authorised by s3:ListBucket, and so is the 404 (rather
  # than 403) that tells "no checkpoint yet" apart from "access denied"; neither request
  # carries an s3:prefix, so the permission cannot be narrowed by prefix.
  statement {
    sid       = "FindTheBucketAndMissingKeys"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
  }

  dynamic "statement" {
    for_each = local.use_kms_for_s3 ? [1] : []

    content {
      sid       = "EncryptObjectsWithTheBucketKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [local.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "task" {
  for_each = local.streams

  name   = "s3-stream-${each.key}"
  role   = aws_iam_role.task[each.key].id
  policy = data.aws_iam_policy_document.task[each.key].json
}
