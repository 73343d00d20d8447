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
