# Offline plan tests (scripts/check-infra.sh runs them as `terraform test -var-file=<the example>`
# where the AWS provider is available locally; they never reach AWS).
# The provider is mocked: resources and data sources get placeholder values, so these check what
# this configuration decides itself: the task definition, the service, alarms and validations.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  # The real provider renders policy documents locally; a mock must at least be valid JSON.
  # Known during plan, so the container definition (image URL, secret ARN) is too.
  mock_resource "aws_ecr_repository" {
    override_during = plan
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:111122223333:repository/tweet-ingest"
      repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tweet-ingest"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    override_during = plan
    defaults = {
      arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:tweet-ingest/twitter-bearer-token-AbCdEf"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

run "example_plans" {
  command = plan

  assert {
    condition     = length(aws_ecs_service.stream) == length(var.streams)
    error_message = "one ECS service per stream"
  }
}

run "task_definition" {
  command = plan

  variables {
    region      = "eu-west-1"
    bucket_name = "acme-tweet-ingest-test"
    image_tag   = "0.1.0"
    kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
    streams = {
      brexit = { query = "#brexit -is:retweet", prefix = "tweets/brexit/" }
      quiet  = { query = "from:nobody", compression = "none", max_posts_per_day = 5000, environment = { TWITTER_MAX_RESULTS = "10" } }
    }
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].readonlyRootFilesystem == true
    error_message = "the root filesystem must be read-only"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].stopTimeout == 30
    error_message = "stopTimeout must be 30"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].user == "10001:10001"
    error_message = "the container must run as the image's non-root user"
  }
  assert {
    condition     = [for s in jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].secrets : s.name] == ["TWITTER_BEARER_TOKEN"]
    error_message = "the bearer token must come from a secret"
  }
  assert {
    condition     = !contains([for e in jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].environment : e.name], "TWITTER_BEARER_TOKEN")
    error_message = "the bearer token must never be an environment value"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].image == "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tweet-ingest:0.1.0"
    error_message = "the image is <repository>:<image_tag>"
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].healthCheck.command == ["CMD", "/usr/local/bin/tweet-ingest", "healthcheck"]
    error_message = "the container health check must call tweet-ingest healthcheck"
  }
  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].environment : e.name => e.value } == {
      AWS_REGION                    = "eu-west-1"
      BUFFER_INTERVAL_SECONDS       = "300"
      BUFFER_SIZE_MB                = "5"
      COMPRESSION                   = "gzip"
      LOG_FORMAT                    = "json"
      LOG_LEVEL                     = "info"
      OUTPUT_FORMAT                 = "jsonl"
      S3_BUCKET                     = "acme-tweet-ingest-test"
      S3_ERROR_PREFIX               = "errors/"
      S3_PREFIX                     = "tweets/brexit/"
      S3_SSE                        = "aws:kms"
      S3_SSE_KMS_KEY_ID             = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
      S3_STORAGE_CLASS              = "STANDARD"
      SHUTDOWN_TIMEOUT_SECONDS      = "25"
      STATE_DIR                     = "/var/lib/tweet-ingest"
      STREAM_NAME                   = "brexit"
      TWITTER_MAX_RESULTS           = "100"
      TWITTER_POLL_INTERVAL_SECONDS = "60"
      TWITTER_QUERY                 = "#brexit -is:retweet"
      TWITTER_START_TIME            = "1h"
    }
    error_message = "unexpected environment for stream brexit"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.stream["quiet"].container_definitions)[0].environment : e.name => e.value }["S3_PREFIX"] == "quiet/"
    error_message = "the default prefix is <stream>/"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.stream["quiet"].container_definitions)[0].environment : e.name => e.value }["TWITTER_MAX_RESULTS"] == "100"
    error_message = "the stream's own settings win over its extra environment"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.stream["quiet"].container_definitions)[0].environment : e.name => e.value }["TWITTER_MAX_POSTS_PER_DAY"] == "5000"
    error_message = "max_posts_per_day becomes TWITTER_MAX_POSTS_PER_DAY (the brexit stream, without it, has no budget: see its exact environment above)"
  }
  assert {
    condition     = aws_ecs_task_definition.stream["brexit"].cpu == "256" && aws_ecs_task_definition.stream["brexit"].memory == "512"
    error_message = "cpu/memory default to 256/512"
  }
  assert {
    condition     = aws_ecs_service.stream["brexit"].deployment_maximum_percent == 100 && aws_ecs_service.stream["brexit"].deployment_minimum_healthy_percent == 0
    error_message = "a deployment must never run two tasks of one stream"
  }
  assert {
    condition     = one(aws_ecs_service.stream["brexit"].network_configuration).assign_public_ip == false
    error_message = "no public IP by default"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.no_delivery["brexit"].treat_missing_data == "breaching" && aws_cloudwatch_metric_alarm.no_delivery["brexit"].threshold == 1
    error_message = "no-delivery alarm: RecordsDelivered < 1, missing data breaching"
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.delivery_errors["quiet"].dimensions == tomap({ Stream = "quiet" })
    error_message = "alarms are per stream"
  }
}

run "rejects_two_tasks_per_stream" {
  command = plan

  variables {
    desired_count = 2
  }

  expect_failures = [var.desired_count]
}

run "rejects_nested_prefixes" {
  command = plan

  variables {
    streams = {
      a = { query = "a", prefix = "tweets/" }
      b = { query = "b", prefix = "tweets/b/" }
    }
  }

  expect_failures = [aws_ecs_task_definition.stream]
}

run "rejects_token_in_environment" {
  command = plan

  variables {
    streams = {
      a = { query = "a", environment = { TWITTER_BEARER_TOKEN = "oops" } }
    }
  }

  expect_failures = [var.streams]
}
