data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  # The daemon's container and the paths its image declares as volumes (see the Dockerfile).
  container_name = "tweet-ingest"
  state_dir      = "/var/lib/tweet-ingest"

  create_kms_key = var.kms_key_arn == null
  kms_key_arn    = local.create_kms_key ? aws_kms_key.this[0].arn : var.kms_key_arn
  use_kms_for_s3 = var.sse_algorithm == "aws:kms"

  create_secret     = var.bearer_token_secret_arn == null
  bearer_secret_arn = local.create_secret ? aws_secretsmanager_secret.bearer_token[0].arn : var.bearer_token_secret_arn

  log_group_name = "/ecs/${var.name}"

  # Known before apply, so the IAM policy documents are too (and can be checked offline).
  bucket_arn    = "arn:${local.partition}:s3:::${var.bucket_name}"
  alarm_actions = var.alarm_sns_topic_arn == null ? [] : [var.alarm_sns_topic_arn]

  # Per stream: the effective prefix and the daemon's environment (sorted, so the task
  # definition does not change on every plan).
  # prefix is the stream's own folder (its task role's scope, the Athena table's location);
  # data_prefix is S3_PREFIX: the prefix, then one <name>=!{partitionKeyFromQuery:<name>}/ per
  # partition key in name order (the daemon appends YYYY/MM/DD/HH/ after it).
  streams = {
    for key, s in var.streams : key => merge(s, {
      prefix              = coalesce(s.prefix, "${key}/")
      partition_key_names = sort(keys(s.partition_keys))
      partition_default   = lookup(s.environment, "S3_PARTITION_DEFAULT", "unknown")
      data_prefix = join("", concat(
        [coalesce(s.prefix, "${key}/")],
        [for name in sort(keys(s.partition_keys)) : "${name}=!{partitionKeyFromQuery:${name}}/"],
      ))
    })
  }

  stream_environment = {
    for key, s in local.streams : key => merge(
      s.environment,
      {
        TWITTER_QUERY                 = s.query
        TWITTER_POLL_INTERVAL_SECONDS = tostring(s.poll_interval_seconds)
        TWITTER_MAX_RESULTS           = tostring(s.max_results)
        TWITTER_START_TIME            = s.start_time
        STREAM_NAME                   = key
        BUFFER_SIZE_MB                = tostring(s.buffer_size_mb)
        BUFFER_INTERVAL_SECONDS       = tostring(s.buffer_interval_seconds)
        COMPRESSION                   = s.compression
        S3_BUCKET                     = aws_s3_bucket.data.bucket
        S3_PREFIX                     = s.data_prefix
        OUTPUT_FORMAT                 = s.output_format
        S3_ERROR_PREFIX               = var.error_prefix
        S3_SSE                        = var.sse_algorithm
        S3_STORAGE_CLASS              = var.s3_storage_class
        AWS_REGION                    = var.region
        LOG_LEVEL                     = var.log_level
        LOG_FORMAT                    = "json"
        SHUTDOWN_TIMEOUT_SECONDS      = tostring(var.shutdown_timeout_seconds)
        STATE_DIR                     = local.state_dir
      },
      s.max_posts_per_day == null ? {} : { TWITTER_MAX_POSTS_PER_DAY = tostring(s.max_posts_per_day) },
      local.use_kms_for_s3 ? { S3_SSE_KMS_KEY_ID = local.kms_key_arn } : {},
      s.output_format == "parquet" ? { PARQUET_COMPRESSION = s.parquet_compression } : {},
      length(s.partition_keys) == 0 ? {} : {
        S3_PARTITION_KEYS = join(",", [for name in s.partition_key_names : "${name}=${s.partition_keys[name]}"])
      },
      s.prefix_time_zone == null ? {} : { S3_PREFIX_TIME_ZONE = s.prefix_time_zone },
    )
  }

  # Two streams must not write under one another's prefix: their task roles are scoped by it.
  prefix_pairs = [
    for pair in setproduct(keys(local.streams), keys(local.streams)) : pair
    if pair[0] != pair[1] && startswith(local.streams[pair[0]].prefix, local.streams[pair[1]].prefix)
  ]
  prefixes_clash_with_errors = [
    for key, s in local.streams : key
    if startswith(s.prefix, var.error_prefix) || startswith(var.error_prefix, s.prefix)
  ]
  # Athena writes its query results into the bucket too (athena.tf), and a lifecycle rule expires
  # them: the prefix is reserved even with athena = false.
  prefixes_clash_with_athena_results = concat(
    [for key, s in local.streams : key if startswith(s.prefix, var.athena_results_prefix) || startswith(var.athena_results_prefix, s.prefix)],
    startswith(var.error_prefix, var.athena_results_prefix) || startswith(var.athena_results_prefix, var.error_prefix) ? ["error_prefix"] : [],
  )
}
