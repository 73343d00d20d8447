# The X API bearer token. Terraform creates the secret but never its value, so the token never
# enters Terraform state or plans: put it with
#   aws secretsmanager put-secret-value --secret-id <output bearer_token_secret_arn> --secret-string "$TOKEN"
# The task definition injects it as TWITTER_BEARER_TOKEN through `secrets`, never `environment`.
resource "aws_secretsmanager_secret" "bearer_token" {
  count = local.create_secret ? 1 : 0

  #checkov:skip=CKV2_AWS_57:An X API bearer token can only be regenerated in the X developer portal, so no rotation Lambda can rotate it; deploy/README.md describes the manual rotation.
  name                    = "${var.name}/twitter-bearer-token"
  description             = "X API v2 app-only bearer token for ${var.name} (plain-text value)"
  kms_key_id              = local.kms_key_arn
  recovery_window_in_days = var.secret_recovery_window_days
}
