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
      compression             COMPRESSION: "none" or "gzip"
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
