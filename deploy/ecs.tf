resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "tasks" {
  #checkov:skip=CKV_AWS_338:Retention is the log_retention_days variable (default 30 days): these are operational logs and metric lines, the data itself is in S3.
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}

resource "aws_ecs_task_definition" "stream" {
  for_each = local.streams

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task[each.key].arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Writable scratch on Fargate's ephemeral storage. The container paths equal the image's
  # VOLUME paths, so ECS copies the image's ownership (UID 10001) into them.
  volume {
    name = "state"
  }

  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = "${aws_ecr_repository.this.repository_url}:${var.image_tag}"
      essential              = true
      command                = ["run"]
      user                   = "10001:10001"
      readonlyRootFilesystem = true
      stopTimeout            = 30

      environment = [
        for name in sort(keys(local.stream_environment[each.key])) :
        { name = name, value = local.stream_environment[each.key][name] }
      ]
      secrets = [
        { name = "TWITTER_BEARER_TOKEN", valueFrom = local.bearer_secret_arn },
      ]

      mountPoints = [
        { sourceVolume = "state", containerPath = local.state_dir, readOnly = false },
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
      ]

      healthCheck = {
        command     = ["CMD", "/usr/local/bin/tweet-ingest", "healthcheck"]
        interval    = 30
        timeout     = 5
        retries     = 3
        startPeriod = 60
      }

      linuxParameters = {
        initProcessEnabled = true
        capabilities       = { drop = ["ALL"] }
      }

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.tasks.name
          awslogs-region        = var.region
          awslogs-stream-prefix = each.key
          # Never let a slow CloudWatch Logs block the daemon's stdout.
          mode            = "non-blocking"
          max-buffer-size = "25m"
        }
      }
    }
  ])

  lifecycle {
    precondition {
      condition     = length(local.prefix_pairs) == 0
      error_message = "Two streams have nested S3 prefixes (${jsonencode(local.prefix_pairs)}): give each stream a prefix that is not inside another's."
    }
    precondition {
      condition     = length(local.prefixes_clash_with_errors) == 0
      error_message = "The prefix of streams ${jsonencode(local.prefixes_clash_with_errors)} overlaps error_prefix."
    }
    precondition {
      condition     = length(local.prefixes_clash_with_athena_results) == 0
      error_message = "athena_results_prefix overlaps the prefix of ${jsonencode(local.prefixes_clash_with_athena_results)}: Athena's query results must not land among the data or error objects."
    }
  }
}

resource "aws_ecs_service" "stream" {
  for_each = local.streams

  name             = "${var.name}-${each.key}"
  cluster          = aws_ecs_cluster.this.id
  task_definition  = aws_ecs_task_definition.stream[each.key].arn
  desired_count    = var.desired_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"
  propagate_tags   = "SERVICE"

  # One task per stream, ever: a deployment stops the old task (which delivers its buffer on
  # SIGTERM) before the new one starts, so two never poll one query or write one checkpoint.
  deployment_minimum_healthy_percent = 0
  deployment_maximum_percent         = 100

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  enable_execute_command = false

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = concat([aws_security_group.task.id], var.additional_security_group_ids)
    assign_public_ip = var.assign_public_ip
  }
}
