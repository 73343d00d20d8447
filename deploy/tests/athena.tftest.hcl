# Offline plan tests of the Athena and Glue resources (athena.tf) and of the stream attributes
# that shape both the objects and the tables (output_format, parquet_compression,
# partition_keys, partition_values, prefix_time_zone). The provider is mocked as in
# plan.tftest.hcl; everything asserted here is decided by this configuration at plan time.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_ecr_repository" {
    override_during = plan
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:111122223333:repository/tweet-ingest"
      repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tweet-ingest"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    override_during = plan
    defaults = {
      arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:tweet-ingest/twitter-bearer-token-AbCdEf"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  region      = "eu-west-1"
  bucket_name = "acme-tweet-ingest-test"
  image_tag   = "0.1.0"
  kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
  streams = {
    brexit = { query = "#brexit -is:retweet", prefix = "tweets/brexit/" }
    climate-news = {
      query               = "#climate"
      output_format       = "parquet"
      parquet_compression = "snappy"
      partition_keys      = { verified = ".author.verified", lang = ".lang" }
      partition_values    = { lang = ["en", "de"] }
      prefix_time_zone    = "Europe/Berlin"
    }
  }
}

run "tables_and_views_per_stream" {
  command = plan

  assert {
    condition     = aws_glue_catalog_database.this[0].name == "tweet_ingest"
    error_message = "the database is var.name with '-' as '_'"
  }
  assert {
    condition     = { for k, t in aws_glue_catalog_table.stream : k => t.name } == { brexit = "brexit", climate-news = "climate_news" }
    error_message = "one table per stream, named by its key with '-' as '_'"
  }
  assert {
    condition     = { for k, v in aws_glue_catalog_table.posts : k => v.name } == { brexit = "brexit_posts", climate-news = "climate_news_posts" }
    error_message = "one <stream>_posts view per stream"
  }
  assert {
    condition     = alltrue([for t in aws_glue_catalog_table.stream : t.database_name == "tweet_ingest" && t.table_type == "EXTERNAL_TABLE"])
    error_message = "the tables are external tables in the database"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["brexit"].storage_descriptor[0].location == "s3://acme-tweet-ingest-test/tweets/brexit/" && aws_glue_catalog_table.stream["climate-news"].storage_descriptor[0].location == "s3://acme-tweet-ingest-test/climate-news/"
    error_message = "a table's location is its stream's prefix"
  }
}

# The OpenX class name is joined from parts, as in athena.tf: written whole it reads as a data
# source reference to the reference check in scripts/check-infra.sh.
run "serde_per_format" {
  command = plan

  assert {
    condition     = aws_glue_catalog_table.stream["brexit"].storage_descriptor[0].ser_de_info[0].serialization_library == join(".", ["org.openx", "data", "jsonserde.JsonSerDe"]) && aws_glue_catalog_table.stream["brexit"].storage_descriptor[0].input_format == "org.apache.hadoop.mapred.TextInputFormat"
    error_message = "jsonl streams are read with the OpenX JSON SerDe over TextInputFormat (gzip by the .gz ending)"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["brexit"].storage_descriptor[0].ser_de_info[0].parameters == tomap({ "ignore.malformed.json" = "false", "case.insensitive" = "true", "dots.in.keys" = "false" })
    error_message = "OpenX SerDe parameters"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["climate-news"].storage_descriptor[0].ser_de_info[0].serialization_library == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" && aws_glue_catalog_table.stream["climate-news"].storage_descriptor[0].input_format == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    error_message = "parquet streams are read with the Parquet SerDe"
  }
  assert {
    condition = [for c in aws_glue_catalog_table.stream["climate-news"].storage_descriptor[0].columns : "${c.name} ${c.type}"] == [
      "id string", "created_at timestamp", "text string", "full_text string", "lang string", "author_id string",
      "conversation_id string", "in_reply_to_user_id string", "possibly_sensitive boolean",
      "retweet_count bigint", "reply_count bigint", "like_count bigint", "quote_count bigint", "bookmark_count bigint",
      "impression_count bigint", "author_username string", "author_name string", "author_location string",
      "author_verified boolean", "author_verified_type string", "author_followers_count bigint",
      "author_following_count bigint", "author_tweet_count bigint", "author_listed_count bigint",
      "author_like_count bigint", "author_media_count bigint", "hashtags array<string>", "mentions array<string>",
      "urls array<string>", "referenced_tweets array<struct<type:string,id:string>>", "media_types array<string>",
      "place_full_name string", "ingest_query string", "ingest_fetched_at timestamp", "ingest_source string", "record string",
    ]
    error_message = "a parquet table has exactly the daemon's Parquet columns, in order"
  }
  assert {
    condition = [for c in aws_glue_catalog_table.stream["brexit"].storage_descriptor[0].columns : c.name] == [
      "id", "text", "created_at", "author_id", "conversation_id", "in_reply_to_user_id", "lang", "possibly_sensitive",
      "public_metrics", "note_tweet", "entities", "author", "referenced_tweets", "attachments", "geo", "ingest",
      "edit_history_tweet_ids",
    ]
    error_message = "a jsonl table has the record's top-level members"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["brexit"].parameters["classification"] == "json" && aws_glue_catalog_table.stream["brexit"].parameters["compressionType"] == "gzip" && aws_glue_catalog_table.stream["climate-news"].parameters["classification"] == "parquet"
    error_message = "classification per format"
  }
}

run "partition_projection" {
  command = plan

  assert {
    condition = tomap({ for k, v in aws_glue_catalog_table.stream["brexit"].parameters : k => v if startswith(k, "projection.") || k == "storage.location.template" }) == tomap({
      "projection.enabled"          = "true"
      "projection.dt.type"          = "date"
      "projection.dt.format"        = "yyyy/MM/dd/HH"
      "projection.dt.interval"      = "1"
      "projection.dt.interval.unit" = "HOURS"
      "projection.dt.range"         = "2026/01/01/00,NOW"
      "storage.location.template"   = "s3://acme-tweet-ingest-test/tweets/brexit/$${dt}/"
    })
    error_message = "projection of the Firehose hour layout for a stream without partition keys"
  }
  assert {
    condition     = [for p in aws_glue_catalog_table.stream["brexit"].partition_keys : "${p.name} ${p.type}"] == ["dt string"]
    error_message = "a stream without partition keys has the one partition column dt"
  }
  assert {
    condition     = [for p in aws_glue_catalog_table.stream["climate-news"].partition_keys : p.name] == ["p_lang", "p_verified", "dt"]
    error_message = "partition keys become p_<name> columns in name order, before dt"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["climate-news"].parameters["storage.location.template"] == "s3://acme-tweet-ingest-test/climate-news/lang=$${p_lang}/verified=$${p_verified}/$${dt}/"
    error_message = "the location template follows S3_PREFIX: <prefix><name>=<value>/.../<hour>/"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["climate-news"].parameters["projection.p_lang.type"] == "enum" && aws_glue_catalog_table.stream["climate-news"].parameters["projection.p_lang.values"] == "en,de,unknown"
    error_message = "a key with partition_values is an enum projection, with the partition default added"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["climate-news"].parameters["projection.p_verified.type"] == "injected" && !contains(keys(aws_glue_catalog_table.stream["climate-news"].parameters), "projection.p_verified.values")
    error_message = "a key without partition_values is injected"
  }
  assert {
    condition     = aws_glue_catalog_table.stream["climate-news"].parameters["projection.dt.range"] == "2026/01/01/00,NOW+14HOURS"
    error_message = "with a prefix time zone the projected hours reach past UTC's now"
  }
}

run "environment_reaches_the_container" {
  command = plan

  assert {
    condition = { for k, v in { for e in jsondecode(aws_ecs_task_definition.stream["climate-news"].container_definitions)[0].environment : e.name => e.value } : k => v if contains(["OUTPUT_FORMAT", "PARQUET_COMPRESSION", "S3_PARTITION_KEYS", "S3_PREFIX", "S3_PREFIX_TIME_ZONE", "COMPRESSION"], k) } == {
      OUTPUT_FORMAT       = "parquet"
      PARQUET_COMPRESSION = "snappy"
      S3_PARTITION_KEYS   = "lang=.lang,verified=.author.verified"
      S3_PREFIX           = "climate-news/lang=!{partitionKeyFromQuery:lang}/verified=!{partitionKeyFromQuery:verified}/"
      S3_PREFIX_TIME_ZONE = "Europe/Berlin"
      COMPRESSION         = "gzip"
    }
    error_message = "output format, Parquet compression, partition keys (sorted), the partitioned prefix and the time zone reach the task"
  }
  assert {
    condition = length(setintersection(
      toset([for e in jsondecode(aws_ecs_task_definition.stream["brexit"].container_definitions)[0].environment : e.name]),
      toset(["PARQUET_COMPRESSION", "S3_PARTITION_KEYS", "S3_PREFIX_TIME_ZONE"]),
    )) == 0
    error_message = "a jsonl stream without partition keys or time zone sets none of their variables"
  }
}

run "views" {
  command = plan

  assert {
    condition     = alltrue([for v in aws_glue_catalog_table.posts : v.table_type == "VIRTUAL_VIEW" && v.parameters["presto_view"] == "true" && startswith(v.view_original_text, "/* Presto View: ") && endswith(v.view_original_text, " */")])
    error_message = "the views are Athena (Presto) views in the catalog"
  }
  assert {
    condition = [for c in jsondecode(base64decode(trimsuffix(trimprefix(aws_glue_catalog_table.posts["brexit"].view_original_text, "/* Presto View: "), " */"))).columns : c.name] == [
      "id", "created_at", "text", "full_text", "lang", "author_id", "conversation_id", "in_reply_to_user_id",
      "possibly_sensitive", "retweet_count", "reply_count", "like_count", "quote_count", "bookmark_count",
      "impression_count", "author_username", "author_name", "author_location", "author_verified",
      "author_verified_type", "author_followers_count", "author_following_count", "author_tweet_count",
      "author_listed_count", "author_like_count", "author_media_count", "hashtags", "mentions", "urls",
      "referenced_tweets", "media_types", "place_full_name", "ingest_query", "ingest_fetched_at", "ingest_source", "dt",
    ]
    error_message = "the view has the Parquet columns but record, then the partition columns"
  }
  assert {
    condition = [for c in jsondecode(base64decode(trimsuffix(trimprefix(aws_glue_catalog_table.posts["climate-news"].view_original_text, "/* Presto View: "), " */"))).columns : c.name] == [
      for c in aws_glue_catalog_table.posts["climate-news"].storage_descriptor[0].columns : c.name
    ]
    error_message = "the view's Trino and Hive column lists name the same columns"
  }
  assert {
    condition     = slice([for c in aws_glue_catalog_table.posts["climate-news"].storage_descriptor[0].columns : c.name], 35, 38) == ["p_lang", "p_verified", "dt"]
    error_message = "the view ends in the partition columns"
  }
  assert {
    condition     = strcontains(jsondecode(base64decode(trimsuffix(trimprefix(aws_glue_catalog_table.posts["brexit"].view_original_text, "/* Presto View: "), " */"))).originalSql, "coalesce(\"note_tweet\".\"text\", \"text\") AS \"full_text\"") && strcontains(jsondecode(base64decode(trimsuffix(trimprefix(aws_glue_catalog_table.posts["brexit"].view_original_text, "/* Presto View: "), " */"))).originalSql, "transform(\"entities\".\"hashtags\", h -> h.\"tag\") AS \"hashtags\"") && endswith(jsondecode(base64decode(trimsuffix(trimprefix(aws_glue_catalog_table.posts["brexit"].view_original_text, "/* Presto View: "), " */"))).originalSql, "FROM \"tweet_ingest\".\"brexit\"")
    error_message = "a jsonl view derives the flat columns"
  }
  assert {
    condition     = !strcontains(jsondecode(base64decode(trimsuffix(trimprefix(aws_glue_catalog_table.posts["climate-news"].view_original_text, "/* Presto View: "), " */"))).originalSql, " AS ")
    error_message = "a parquet view selects the columns as they are"
  }
}

run "workgroup" {
  command = plan

  assert {
    condition     = aws_athena_workgroup.this[0].name == "tweet-ingest" && aws_athena_workgroup.this[0].configuration[0].enforce_workgroup_configuration && aws_athena_workgroup.this[0].configuration[0].publish_cloudwatch_metrics_enabled
    error_message = "the workgroup enforces its configuration and publishes metrics"
  }
  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].bytes_scanned_cutoff_per_query == 10737418240
    error_message = "10 GiB scanned per query by default"
  }
  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].result_configuration[0].output_location == "s3://acme-tweet-ingest-test/_athena-results/"
    error_message = "results go to _athena-results/ in the bucket"
  }
  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS" && aws_athena_workgroup.this[0].configuration[0].result_configuration[0].encryption_configuration[0].kms_key_arn == var.kms_key_arn
    error_message = "results are encrypted with the deployment's key"
  }
  assert {
    condition     = one([for r in aws_s3_bucket_lifecycle_configuration.data.rule : r.expiration[0].days if r.id == "expire-athena-results"]) == 30
    error_message = "results expire after 30 days"
  }
  assert {
    condition     = length(aws_iam_policy.athena_analyst) == 1 && output.athena.workgroup == "tweet-ingest" && output.athena.views["climate-news"] == "climate_news_posts"
    error_message = "the analyst policy and the athena output exist"
  }
}

run "aes256_results_use_s3_keys" {
  command = plan

  variables {
    sse_algorithm = "AES256"
  }

  assert {
    condition     = aws_athena_workgroup.this[0].configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_S3"
    error_message = "with AES256 the results use SSE_S3"
  }
}

run "athena_off_creates_nothing" {
  command = plan

  variables {
    athena = false
  }

  assert {
    condition = (length(aws_glue_catalog_database.this) + length(aws_glue_catalog_table.stream) + length(aws_glue_catalog_table.posts)
    + length(aws_athena_workgroup.this) + length(aws_iam_policy.athena_analyst)) == 0 && output.athena == null
    error_message = "athena = false creates no Glue or Athena resource"
  }
  assert {
    condition     = { for e in jsondecode(aws_ecs_task_definition.stream["climate-news"].container_definitions)[0].environment : e.name => e.value }["OUTPUT_FORMAT"] == "parquet"
    error_message = "the stream attributes still reach the task"
  }
}

run "rejects_unknown_output_format" {
  command = plan

  variables {
    streams = { a = { query = "a", output_format = "csv" } }
  }

  expect_failures = [var.streams]
}

run "rejects_unknown_parquet_compression" {
  command = plan

  variables {
    streams = { a = { query = "a", output_format = "parquet", parquet_compression = "lz4" } }
  }

  expect_failures = [var.streams]
}

run "rejects_bad_partition_key_name" {
  command = plan

  variables {
    streams = { a = { query = "a", partition_keys = { Lang = ".lang" } } }
  }

  expect_failures = [var.streams]
}

run "rejects_bad_partition_key_path" {
  command = plan

  variables {
    streams = { a = { query = "a", partition_keys = { lang = "lang | ascii" } } }
  }

  expect_failures = [var.streams]
}

run "rejects_values_of_an_undefined_key" {
  command = plan

  variables {
    streams = { a = { query = "a", partition_keys = { lang = ".lang" }, partition_values = { verified = ["true"] } } }
  }

  expect_failures = [var.streams]
}

run "rejects_partition_keys_through_environment" {
  command = plan

  variables {
    streams = { a = { query = "a", environment = { S3_PARTITION_KEYS = "lang=.lang" } } }
  }

  expect_failures = [var.streams]
}

run "rejects_results_prefix_among_the_streams" {
  command = plan

  variables {
    streams = { a = { query = "a", prefix = "_athena-results/a/" } }
  }

  expect_failures = [aws_ecs_task_definition.stream]
}

run "rejects_clashing_table_names" {
  command = plan

  variables {
    streams = {
      a-b = { query = "a" }
      a_b = { query = "b" }
    }
  }

  expect_failures = [aws_glue_catalog_table.stream]
}
