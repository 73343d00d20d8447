terraform {
  # optional() object attributes with defaults need 1.3; cross-variable checks in
  # preconditions need 1.2. Tested offline with Terraform 1.11 and 1.15 (scripts/check-infra.sh).
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }

  # State is local by default. For a team, keep it in S3 with locking, e.g.:
  # backend "s3" {
  #   bucket       = "my-terraform-state"
  #   key          = "tweet-ingest/terraform.tfstate"
  #   region       = "eu-west-1"
  #   use_lockfile = true
  # }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = merge({ Application = var.name, ManagedBy = "terraform" }, var.tags)
  }
}
