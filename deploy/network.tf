# Egress-only: the task opens HTTPS connections (X API, S3, ECR, CloudWatch Logs, Secrets
# Manager) and accepts none. DNS goes to the VPC resolver, which security groups do not filter.
resource "aws_security_group" "task" {
  name        = "${var.name}-task"
  description = "tweet-ingest tasks: no inbound, HTTPS outbound only"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "https_ipv4" {
  security_group_id = aws_security_group.task.id
  description       = "HTTPS to the X API and AWS endpoints"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "https_ipv6" {
  security_group_id = aws_security_group.task.id
  description       = "HTTPS to the X API and AWS endpoints over IPv6"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
}
