output "bucket_name" {
  description = "The S3 bucket receiving the objects (<prefix>YYYY/MM/DD/HH/...), checkpoints (_state/) and processing-failed records."
  value       = aws_s3_bucket.data.id
}

output "stream_prefixes" {
  description = "S3 prefix of each stream."
  value       = { for key, s in local.streams : key => s.prefix }
}

output "ecr_repository_url" {
  description = "Push the image here: <url>:<image_tag>."
  value       = aws_ecr_repository.this.repository_url
}

output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "service_names" {
  description = "ECS service of each stream."
  value       = { for key, s in aws_ecs_service.stream : key => s.name }
}

output "log_group_name" {
  description = "CloudWatch log group of the tasks (JSON logs and EMF metric lines)."
  value       = aws_cloudwatch_log_group.tasks.name
}

output "bearer_token_secret_arn" {
  description = "Secrets Manager secret holding the X bearer token (plain text)."
  value       = local.bearer_secret_arn
}

output "kms_key_arn" {
  description = "KMS key of the bucket (when aws:kms), logs, secret and repository."
  value       = local.kms_key_arn
}

output "task_role_arns" {
  description = "Task role of each stream."
  value       = { for key, r in aws_iam_role.task : key => r.arn }
}

output "security_group_id" {
  description = "The tasks' egress-only security group."
  value       = aws_security_group.task.id
}

output "dashboard_url" {
  description = "CloudWatch dashboard."
  value       = "https://console.aws.amazon.com/cloudwatch/home?region=${var.region}#dashboards:name=${aws_cloudwatch_dashboard.this.dashboard_name}"
}

output "region" {
  description = "The region everything is in."
  value       = var.region
}

output "athena" {
  description = "Athena and Glue (null with athena = false): the database, each stream's table and <stream>_posts view, the workgroup to query in, where results go, and the analysts' policy (attach it to whoever queries)."
  value = var.athena ? {
    database           = aws_glue_catalog_database.this[0].name
    tables             = { for key, t in aws_glue_catalog_table.stream : key => t.name }
    views              = { for key, v in aws_glue_catalog_table.posts : key => v.name }
    workgroup          = aws_athena_workgroup.this[0].name
    results_location   = local.athena_results_location
    analyst_policy_arn = var.athena_analyst_policy ? aws_iam_policy.athena_analyst[0].arn : null
  } : null
}
