# Alarms and a dashboard on the metrics the daemon writes as CloudWatch Embedded Metric Format
# log lines (namespace TweetIngest, dimension Stream = STREAM_NAME; ApiRequests also by Status).
# CloudWatch Logs turns those lines into metrics: no agent and no PutMetricData permission.

locals {
  metric_namespace = "TweetIngest"
  freshness_alarms = var.freshness_alarm_seconds == null ? {} : local.streams
  task_alarms      = var.desired_count > 0 ? local.streams : {}
}

resource "aws_cloudwatch_metric_alarm" "no_delivery" {
  for_each = local.streams

  alarm_name        = "${var.name}-${each.key}-no-delivery"
  alarm_description = "Stream ${each.key}: no record delivered to S3 in ${var.no_delivery_evaluation_periods} x ${var.no_delivery_period_seconds} s (or no metrics at all: the task is down). A query that matches nothing for that long fires it too."
  namespace         = local.metric_namespace
  metric_name       = "RecordsDelivered"
  dimensions        = { Stream = each.key }
  statistic         = "Sum"
  period            = var.no_delivery_period_seconds

  evaluation_periods  = var.no_delivery_evaluation_periods
  datapoints_to_alarm = var.no_delivery_evaluation_periods
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "delivery_errors" {
  for_each = local.streams

  alarm_name        = "${var.name}-${each.key}-delivery-errors"
  alarm_description = "Stream ${each.key}: S3 deliveries are failing (the daemon retries under the same key and stops polling meanwhile). See the log group for the S3 error and request id."
  namespace         = local.metric_namespace
  metric_name       = "DeliveryErrors"
  dimensions        = { Stream = each.key }
  statistic         = "Sum"
  period            = 300

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "api_auth_errors" {
  for_each = local.streams

  alarm_name        = "${var.name}-${each.key}-api-auth-errors"
  alarm_description = "Stream ${each.key}: the X API rejected the bearer token (401/403); the task exits 77 and ECS keeps restarting it. Rotate the token (deploy/README.md)."
  namespace         = local.metric_namespace
  metric_name       = "ApiAuthErrors"
  dimensions        = { Stream = each.key }
  statistic         = "Sum"
  period            = 300

  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "data_freshness" {
  for_each = local.freshness_alarms

  alarm_name        = "${var.name}-${each.key}-data-freshness"
  alarm_description = "Stream ${each.key}: the oldest undelivered record has waited more than ${coalesce(var.freshness_alarm_seconds, 0)} s (Firehose's DataFreshness)."
  namespace         = local.metric_namespace
  metric_name       = "DataFreshnessSeconds"
  dimensions        = { Stream = each.key }
  statistic         = "Maximum"
  period            = 300

  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = coalesce(var.freshness_alarm_seconds, 0)
  treat_missing_data  = "notBreaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

# Crash loops (exit 77/78, out of memory, failed health checks) show as no running task.
resource "aws_cloudwatch_metric_alarm" "task_not_running" {
  for_each = local.task_alarms

  alarm_name        = "${var.name}-${each.key}-task-not-running"
  alarm_description = "Stream ${each.key}: the ECS service has had no running task for 15 minutes; see its stopped tasks' reason and the log group."
  namespace         = "ECS/ContainerInsights"
  metric_name       = "RunningTaskCount"
  dimensions        = { ClusterName = aws_ecs_cluster.this.name, ServiceName = aws_ecs_service.stream[each.key].name }
  statistic         = "Maximum"
  period            = 300

  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"

  alarm_actions = local.alarm_actions
  ok_actions    = local.alarm_actions
}

locals {
  stream_keys = sort(keys(local.streams))

  # One line per stream for a metric with only the Stream dimension.
  per_stream = {
    for metric in ["TweetsFetched", "RecordsDelivered", "ObjectsDelivered", "BytesDelivered", "DeliveryErrors", "ApiAuthErrors", "RateLimitWaits", "Retries"] :
    metric => [for key in local.stream_keys : [local.metric_namespace, metric, "Stream", key, { stat = "Sum", label = "${key} ${metric}" }]]
  }
  per_stream_max = {
    for metric in ["DataFreshnessSeconds", "BufferFillBytes"] :
    metric => [for key in local.stream_keys : [local.metric_namespace, metric, "Stream", key, { stat = "Maximum", label = "${key} ${metric}" }]]
  }

  widget_defaults = { region = var.region, view = "timeSeries", stacked = false, period = 300 }

  dashboard_widgets = [
    { type = "text", x = 0, y = 0, width = 24, height = 2, properties = {
      markdown = "## ${var.name}: X recent search to s3://${var.bucket_name}\nStreams: ${join(", ", local.stream_keys)}. Sums per 5 minutes. Logs: `${local.log_group_name}`. Alarms fire on no delivery, delivery errors, API auth errors, data freshness and no running task."
    } },
    { type = "metric", x = 0, y = 2, width = 12, height = 6, properties = merge(local.widget_defaults, {
      title   = "Tweets ingested (fetched from the API)"
      metrics = local.per_stream["TweetsFetched"]
    }) },
    { type = "metric", x = 12, y = 2, width = 12, height = 6, properties = merge(local.widget_defaults, {
      title   = "Records and objects delivered to S3"
      metrics = concat(local.per_stream["RecordsDelivered"], [for m in local.per_stream["ObjectsDelivered"] : concat(slice(m, 0, 4), [merge(m[4], { yAxis = "right" })])])
    }) },
    { type = "metric", x = 0, y = 8, width = 12, height = 6, properties = merge(local.widget_defaults, {
      title   = "Data freshness: age of the oldest undelivered record (s)"
      metrics = local.per_stream_max["DataFreshnessSeconds"]
      }, {
      # The alarm threshold as a line, when the alarm exists.
      for k, v in { annotations = { horizontal = [{ label = "alarm", value = coalesce(var.freshness_alarm_seconds, 0) }] } } :
      k => v if var.freshness_alarm_seconds != null
    }) },
    { type = "metric", x = 12, y = 8, width = 12, height = 6, properties = merge(local.widget_defaults, {
      title   = "Errors, retries and rate-limit waits"
      metrics = concat(local.per_stream["DeliveryErrors"], local.per_stream["ApiAuthErrors"], local.per_stream["Retries"], local.per_stream["RateLimitWaits"])
    }) },
    { type = "metric", x = 0, y = 14, width = 12, height = 6, properties = merge(local.widget_defaults, {
      title   = "API requests by status"
      metrics = [[{ expression = "SEARCH('{${local.metric_namespace},Status,Stream} MetricName=\"ApiRequests\"', 'Sum', 300)", id = "requests" }]]
    }) },
    { type = "metric", x = 12, y = 14, width = 12, height = 6, properties = merge(local.widget_defaults, {
      title   = "Bytes delivered and buffer fill"
      metrics = concat(local.per_stream["BytesDelivered"], [for m in local.per_stream_max["BufferFillBytes"] : concat(slice(m, 0, 4), [merge(m[4], { yAxis = "right" })])])
    }) },
    { type = "alarm", x = 0, y = 20, width = 24, height = 3, properties = {
      title = "Alarms"
      alarms = concat(
        [for a in aws_cloudwatch_metric_alarm.no_delivery : a.arn],
        [for a in aws_cloudwatch_metric_alarm.delivery_errors : a.arn],
        [for a in aws_cloudwatch_metric_alarm.api_auth_errors : a.arn],
        [for a in aws_cloudwatch_metric_alarm.data_freshness : a.arn],
        [for a in aws_cloudwatch_metric_alarm.task_not_running : a.arn],
      )
    } },
    { type = "log", x = 0, y = 23, width = 24, height = 6, properties = {
      title  = "Recent warnings and errors"
      region = var.region
      view   = "table"
      query  = "SOURCE '${local.log_group_name}' | fields @timestamp, @logStream, level, message | filter level in [\"warning\", \"error\", \"critical\"] | sort @timestamp desc | limit 50"
    } },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
