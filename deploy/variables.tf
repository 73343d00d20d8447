# ---------------------------------------------------------------------------------------------
# Where and what
# ---------------------------------------------------------------------------------------------

variable "region" {
  description = "AWS region for every resource (also passed to the daemon as AWS_REGION)."
  type        = string
}

variable "name" {
  description = "Name prefix of every resource (cluster, repository, roles, log group, alarms)."
  type        = string
  default     = "tweet-ingest"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,23}$", var.name))
    error_message = "name: 1-24 of lower-case letters, digits and '-', starting with a letter or digit."
  }
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# Streams: one ECS service (one task) per entry
# ---------------------------------------------------------------------------------------------

variable "streams" {
  description = <<-EOT
    One entry per query set. Each becomes its own ECS service running exactly one task, with its
    own STREAM_NAME (the map key), S3 prefix, checkpoint (_state/<key>.json), task role, alarms and
    dashboard lines. Never run two tasks of one stream: they would race on its checkpoint.
    Attributes (all but query optional; unset ones fall back to the daemon's own defaults):
      query                   TWITTER_QUERY, 1-4096 characters (the OpenAPI limit; the app's access level may allow less)
      prefix                  S3_PREFIX, default "<key>/"; must end in "/"
      poll_interval_seconds   TWITTER_POLL_INTERVAL_SECONDS (1-86400)
      max_results             TWITTER_MAX_RESULTS (10-100)
      start_time              TWITTER_START_TIME for the very first poll ("1h", "2d", RFC 3339)
      max_posts_per_day       TWITTER_MAX_POSTS_PER_DAY (10-100000000), the daily read budget; unset: none
      buffer_size_mb          BUFFER_SIZE_MB (1-128)
      buffer_interval_seconds BUFFER_INTERVAL_SECONDS (0-900)
      compression             COMPRESSION: "none" or "gzip" (for parquet streams: only the error objects, which stay JSON Lines)
      output_format           OUTPUT_FORMAT: "jsonl" (default) or "parquet"; also picks the Athena table's SerDe
      parquet_compression     PARQUET_COMPRESSION for parquet streams: "zstd" (default), "snappy", "gzip" or "none"
      partition_keys          S3_PARTITION_KEYS, { name = ".dotted.path" }: the prefix becomes
                              <prefix><name>=!{partitionKeyFromQuery:<name>}/... (names sorted), then YYYY/MM/DD/HH/
      partition_values        { name = ["en", "de"] }: the values a key takes, for the Athena table's enum
                              projection (the partition default, "unknown", is added); keys without: injected
      prefix_time_zone        S3_PREFIX_TIME_ZONE, an IANA name; the hour folders (and the table's dt) are then local hours
      environment             any other variables of the daemon (never the bearer token)
  EOT
  type = map(object({
    query                   = string
    prefix                  = optional(string)
    poll_interval_seconds   = optional(number, 60)
    max_results             = optional(number, 100)
    start_time              = optional(string, "1h")
    max_posts_per_day       = optional(number)
    buffer_size_mb          = optional(number, 5)
    buffer_interval_seconds = optional(number, 300)
    compression             = optional(string, "gzip")
    output_format           = optional(string, "jsonl")
    parquet_compression     = optional(string, "zstd")
    partition_keys          = optional(map(string), {})
    partition_values        = optional(map(list(string)), {})
    prefix_time_zone        = optional(string)
    environment             = optional(map(string), {})
  }))

  validation {
    condition     = length(var.streams) > 0
    error_message = "streams: declare at least one stream."
  }
  validation {
    # STREAM_NAME allows dots too, but the key also names ECS services and IAM roles.
    condition     = alltrue([for k in keys(var.streams) : can(regex("^[A-Za-z0-9_-]{1,32}$", k))])
    error_message = "streams: each key (the STREAM_NAME) must be 1-32 of A-Z a-z 0-9 _ -."
  }
  validation {
    condition     = alltrue([for s in values(var.streams) : s.max_posts_per_day == null ? true : (s.max_posts_per_day >= 10 && s.max_posts_per_day <= 100000000)])
    error_message = "streams: max_posts_per_day must be 10-100000000 (or unset for no budget)."
  }
  validation {
    condition     = alltrue([for s in values(var.streams) : length(s.query) >= 1 && length(s.query) <= 4096])
    error_message = "streams: query must be 1-4096 characters."
  }
  validation {
    condition = alltrue([for s in values(var.streams) :
      s.prefix == null ? true : can(regex("^[A-Za-z0-9!_.*'()/-]+/$", s.prefix)) && !startswith(s.prefix, "_state/")
    ])
    error_message = "streams: prefix must be non-empty, end in '/', use S3-safe characters and not start with '_state/'."
  }
  validation {
    condition = alltrue([for s in values(var.streams) :
      s.poll_interval_seconds >= 1 && s.poll_interval_seconds <= 86400 &&
      s.max_results >= 10 && s.max_results <= 100 &&
      s.buffer_size_mb >= 1 && s.buffer_size_mb <= 128 &&
      s.buffer_interval_seconds >= 0 && s.buffer_interval_seconds <= 900
    ])
    error_message = "streams: poll_interval_seconds 1-86400, max_results 10-100, buffer_size_mb 1-128, buffer_interval_seconds 0-900."
  }
  validation {
    condition     = alltrue([for s in values(var.streams) : contains(["none", "gzip"], s.compression)])
    error_message = "streams: compression is \"none\" or \"gzip\"."
  }
  validation {
    condition     = alltrue([for s in values(var.streams) : contains(["jsonl", "parquet"], s.output_format)])
    error_message = "streams: output_format is \"jsonl\" or \"parquet\"."
  }
  validation {
    condition     = alltrue([for s in values(var.streams) : contains(["zstd", "snappy", "gzip", "none"], s.parquet_compression)])
    error_message = "streams: parquet_compression is \"zstd\", \"snappy\", \"gzip\" or \"none\"."
  }
  validation {
    # Lower case: the names are also Glue partition columns (p_<name>), and Glue lower-cases names.
    condition     = alltrue(flatten([for s in values(var.streams) : [for k in keys(s.partition_keys) : can(regex("^[a-z][a-z0-9_]{0,63}$", k))]]))
    error_message = "streams: each partition_keys name is 1-64 of a-z 0-9 _, starting with a letter."
  }
  validation {
    condition     = alltrue(flatten([for s in values(var.streams) : [for p in values(s.partition_keys) : can(regex("^\\.[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*$", p))]]))
    error_message = "streams: each partition_keys path is a dotted path into the record, such as .lang or .author.verified."
  }
  validation {
    condition     = alltrue([for s in values(var.streams) : length(s.partition_keys) <= 50])
    error_message = "streams: at most 50 partition_keys per stream (Firehose's limit, and the daemon's)."
  }
  validation {
    condition = alltrue(flatten([for s in values(var.streams) : [for k, vs in s.partition_values :
      contains(keys(s.partition_keys), k) && length(vs) > 0 && alltrue([for v in vs : can(regex("^[^,/[:cntrl:]]{1,128}$", v)) && v != "." && v != ".."])
    ]]))
    error_message = "streams: partition_values names only keys of partition_keys, each with at least one value of 1-128 characters without ',', '/' or control characters."
  }
  validation {
    condition = alltrue([for s in values(var.streams) :
      s.prefix_time_zone == null ? true : can(regex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", s.prefix_time_zone))
    ])
    error_message = "streams: prefix_time_zone is an IANA time zone name, such as Europe/Berlin (or unset for UTC)."
  }
  validation {
    # These come from the attributes above, which also shape the Athena table: set them there.
    condition = alltrue(flatten([for s in values(var.streams) : [for k in keys(s.environment) :
      !contains(["OUTPUT_FORMAT", "PARQUET_COMPRESSION", "S3_PARTITION_KEYS", "S3_PREFIX", "S3_PREFIX_TIME_ZONE"], k)
    ]]))
    error_message = "streams: set OUTPUT_FORMAT, PARQUET_COMPRESSION, S3_PARTITION_KEYS, S3_PREFIX and S3_PREFIX_TIME_ZONE through output_format, parquet_compression, partition_keys, prefix and prefix_time_zone, not environment."
  }
  validation {
    condition = alltrue(flatten([for s in values(var.streams) : [for k in keys(s.environment) :
      !contains(["TWITTER_BEARER_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], k)
    ]]))
    error_message = "streams: environment must not hold credentials; the bearer token comes from Secrets Manager."
  }
}

variable "desired_count" {
  description = "Tasks per stream: 1 to run, 0 to create everything without starting (first apply, before the image and the token exist). Never more than 1."
  type        = number
  default     = 1

  validation {
    condition     = contains([0, 1], var.desired_count)
    error_message = "desired_count is 0 or 1: two tasks of one stream would race on its checkpoint."
  }
}

# ---------------------------------------------------------------------------------------------
# Container
# ---------------------------------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the image in the ECR repository this configuration creates (tags are immutable: use a version or a commit id)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag: a valid Docker tag other than \"latest\" (the repository's tags are immutable)."
  }
}

variable "cpu" {
  description = "Fargate task CPU units (256 = 0.25 vCPU)."
  type        = number
  default     = 256
}

variable "memory" {
  description = "Fargate task memory in MiB; must suit cpu (256 CPU: 512-2048). Leave room for BUFFER_SIZE_MB plus the page being processed."
  type        = number
  default     = 512
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64: must match the architecture the image was built for."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture is X86_64 or ARM64."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the daemon."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["trace", "debug", "info", "notice", "warning", "error", "critical"], var.log_level)
    error_message = "log_level: trace, debug, info, notice, warning, error or critical."
  }
}

variable "shutdown_timeout_seconds" {
  description = "SHUTDOWN_TIMEOUT_SECONDS: time to deliver the buffer after SIGTERM; below the container's stopTimeout (30 s)."
  type        = number
  default     = 25

  validation {
    condition     = var.shutdown_timeout_seconds >= 1 && var.shutdown_timeout_seconds <= 28
    error_message = "shutdown_timeout_seconds: 1-28, so the buffer is delivered before ECS kills the task at 30 s."
  }
}

variable "ecr_keep_images" {
  description = "How many images the ECR repository keeps (older ones are expired)."
  type        = number
  default     = 20
}

# ---------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------

variable "vpc_id" {
  description = "VPC of the subnets; the task's egress-only security group is created there."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the tasks. Private subnets need a NAT gateway (the X API is on the internet); S3, ECR, Logs and Secrets Manager can also be reached through VPC endpoints."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids: at least one subnet."
  }
}

variable "assign_public_ip" {
  description = "Give the task a public IP (only for public subnets without NAT). Inbound traffic stays blocked by the security group."
  type        = bool
  default     = false
}

variable "additional_security_group_ids" {
  description = "More security groups for the tasks (e.g. one allowed into VPC endpoints)."
  type        = list(string)
  default     = []
}

# ---------------------------------------------------------------------------------------------
# Bucket
# ---------------------------------------------------------------------------------------------

variable "bucket_name" {
  description = "Name of the S3 bucket this configuration creates for the objects and checkpoints."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name: 3-63 of lower-case letters, digits, '.' and '-'."
  }
}

variable "sse_algorithm" {
  description = "Default encryption of the bucket and the daemon's S3_SSE: aws:kms (a customer managed key) or AES256 (S3 managed keys)."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "sse_algorithm is aws:kms or AES256."
  }
}

variable "kms_key_arn" {
  description = "An existing KMS key for the bucket, logs, secret and repository. Null: this configuration creates one (with rotation). An existing key's policy must let CloudWatch Logs use it."
  type        = string
  default     = null
}

variable "s3_storage_class" {
  description = "S3_STORAGE_CLASS of delivered objects (the checkpoint stays STANDARD)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"], var.s3_storage_class)
    error_message = "s3_storage_class: STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING or GLACIER_IR."
  }
}

variable "error_prefix" {
  description = "S3_ERROR_PREFIX: where records that could not be processed go (errors/processing-failed/...)."
  type        = string
  default     = "errors/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()/-]+/$", var.error_prefix)) && !startswith(var.error_prefix, "_state/")
    error_message = "error_prefix must be non-empty, end in '/' and not start with '_state/'."
  }
}

variable "error_retention_days" {
  description = "Objects under error_prefix expire after this many days."
  type        = number
  default     = 90
}

variable "noncurrent_version_retention_days" {
  description = "Overwritten or deleted object versions (every checkpoint write makes one) expire after this many days."
  type        = number
  default     = 7
}

variable "abort_incomplete_multipart_days" {
  description = "Multipart uploads left incomplete (a task killed mid-upload) are aborted after this many days."
  type        = number
  default     = 1
}

variable "access_log_bucket" {
  description = "Optional existing bucket that receives S3 server access logs of the data bucket."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete a non-empty bucket and repository. Keep false except for throw-away stacks."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------
# Secret
# ---------------------------------------------------------------------------------------------

variable "bearer_token_secret_arn" {
  description = "An existing Secrets Manager secret whose plain-text value is the X bearer token. Null: an empty secret is created; put the token in it with the AWS CLI (the value never enters Terraform state)."
  type        = string
  default     = null
}

variable "secret_recovery_window_days" {
  description = "Days a deleted secret can be restored (0 deletes at once on destroy)."
  type        = number
  default     = 7
}

# ---------------------------------------------------------------------------------------------
# Logs, alarms and dashboard
# ---------------------------------------------------------------------------------------------

variable "log_retention_days" {
  description = "Retention of the task log group (JSON logs and the EMF metric lines)."
  type        = number
  default     = 30
}

variable "alarm_sns_topic_arn" {
  description = "Optional SNS topic notified when an alarm fires and clears."
  type        = string
  default     = null
}

variable "no_delivery_period_seconds" {
  description = "Period of the no-delivery alarm: fires when RecordsDelivered sums below 1 in no_delivery_evaluation_periods consecutive periods (missing data counts as none). Keep it above the streams' buffer interval."
  type        = number
  default     = 900

  validation {
    condition     = var.no_delivery_period_seconds >= 60 && var.no_delivery_period_seconds % 60 == 0
    error_message = "no_delivery_period_seconds: a multiple of 60, at least 60."
  }
}

variable "no_delivery_evaluation_periods" {
  description = "N of the no-delivery alarm (see no_delivery_period_seconds). A quiet query that matches nothing for N periods fires it too."
  type        = number
  default     = 4
}

variable "freshness_alarm_seconds" {
  description = "Alarm when the oldest undelivered record is older than this (DataFreshnessSeconds maximum, two 5-minute periods). Null disables the alarm."
  type        = number
  default     = 1800
}

# ---------------------------------------------------------------------------------------------
# Athena and Glue
# ---------------------------------------------------------------------------------------------

variable "athena" {
  description = "Create the Glue database, one table and one view (<stream>_posts) per stream with partition projection, and an Athena workgroup. Nothing of it is needed by the daemon."
  type        = bool
  default     = true
}

variable "athena_projection_start" {
  description = "First hour (yyyy/MM/dd/HH, UTC or the stream's prefix_time_zone) the tables' dt partition projection covers. Queries without a dt filter enumerate every hour from here to now: set it to when the first stream started."
  type        = string
  default     = "2026/01/01/00"

  validation {
    condition     = can(regex("^[0-9]{4}/(0[1-9]|1[0-2])/(0[1-9]|[12][0-9]|3[01])/([01][0-9]|2[0-3])$", var.athena_projection_start))
    error_message = "athena_projection_start: an hour as yyyy/MM/dd/HH, such as 2026/01/01/00."
  }
}

variable "athena_results_prefix" {
  description = "Where the Athena workgroup writes query results, in the data bucket. Must not overlap a stream's prefix, error_prefix or _state/."
  type        = string
  default     = "_athena-results/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()/-]+/$", var.athena_results_prefix)) && !startswith(var.athena_results_prefix, "_state/")
    error_message = "athena_results_prefix must be non-empty, end in '/', use S3-safe characters and not start with '_state/'."
  }
}

variable "athena_results_retention_days" {
  description = "Query results under athena_results_prefix expire after this many days."
  type        = number
  default     = 30

  validation {
    condition     = var.athena_results_retention_days >= 1
    error_message = "athena_results_retention_days: at least 1."
  }
}

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "The workgroup cancels a query that scans more than this many bytes (Athena bills by bytes scanned). Default 10 GiB; at least 10 MiB, Athena's minimum."
  type        = number
  default     = 10737418240

  validation {
    condition     = var.athena_bytes_scanned_cutoff_per_query >= 10485760
    error_message = "athena_bytes_scanned_cutoff_per_query: at least 10485760 (10 MiB), Athena's minimum."
  }
}

variable "athena_analyst_policy" {
  description = "Create an IAM managed policy (attached to nothing) that lets a user or role query the streams through the workgroup: run queries in it, read the Glue tables and views, read the stream prefixes, write and read the results."
  type        = bool
  default     = true
}
