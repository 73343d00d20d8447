# Query the objects where they land (var.athena): a Glue database, per stream a table over its
# prefix with partition projection (no crawler, no MSCK REPAIR) and a view <stream>_posts with
# the same flat columns whatever the format, and an Athena workgroup that writes encrypted
# results under athena_results_prefix and cancels queries beyond a bytes-scanned limit. The
# daemon never calls Glue or Athena: the task roles are unchanged.

locals {
  athena_database = replace(var.name, "-", "_")
  athena_streams  = var.athena ? local.streams : {}

  # Glue lower-cases names, and Athena wants letters, digits and _ only.
  athena_tables = { for key, s in local.streams : key => lower(replace(key, "-", "_")) }
  athena_views  = { for key, name in local.athena_tables : key => "${name}_posts" }
  athena_names  = concat(values(local.athena_tables), values(local.athena_views))

  athena_results_location = "s3://${var.bucket_name}/${var.athena_results_prefix}"

  # The OpenX JSON SerDe's class, org.openx.<data>.jsonserde.JsonSerDe, spelled in parts: written
  # whole it reads as a data source reference to scripts/check-infra.sh's reference check.
  athena_openx_serde = join(".", ["org.openx", "data", "jsonserde.JsonSerDe"])

  # A partition key <name> is the partition column p_<name>: the records have columns of their
  # own (lang), and a table must not name a partition column like a data column.
  athena_partition_columns = { for key, s in local.streams : key => [for name in s.partition_key_names : "p_${name}"] }

  # Partition projection on the daemon's layout: <prefix>[<name>=<value>/...]yyyy/MM/dd/HH/.
  # Projected dates are computed in UTC; a stream writing local hours of a zone east of UTC has
  # hours "ahead" of now, so its range reaches 14 hours (the largest UTC offset) past now.
  athena_table_parameters = {
    for key, s in local.streams : key => merge(
      {
        EXTERNAL                      = "TRUE"
        classification                = s.output_format == "parquet" ? "parquet" : "json"
        "projection.enabled"          = "true"
        "projection.dt.type"          = "date"
        "projection.dt.format"        = "yyyy/MM/dd/HH"
        "projection.dt.interval"      = "1"
        "projection.dt.interval.unit" = "HOURS"
        "projection.dt.range"         = "${var.athena_projection_start},${coalesce(s.prefix_time_zone, "UTC") == "UTC" ? "NOW" : "NOW+14HOURS"}"
        "storage.location.template" = join("", concat(
          ["s3://${var.bucket_name}/${s.prefix}"],
          [for name in s.partition_key_names : "${name}=$${p_${name}}/"],
          ["$${dt}/"],
        ))
      },
      s.output_format == "jsonl" && s.compression == "gzip" ? { compressionType = "gzip" } : {},
      merge(concat([{}], [
        for name in s.partition_key_names : contains(keys(s.partition_values), name) ? {
          "projection.p_${name}.type"   = "enum"
          "projection.p_${name}.values" = join(",", distinct(concat(s.partition_values[name], [s.partition_default])))
          } : {
          "projection.p_${name}.type" = "injected"
        }
      ])...),
    )
  }

  # JSON Lines: the record's top-level members, nested as delivered.
  athena_jsonl_columns = [
    { name = "id", type = "string" },
    { name = "text", type = "string" },
    { name = "created_at", type = "string" },
    { name = "author_id", type = "string" },
    { name = "conversation_id", type = "string" },
    { name = "in_reply_to_user_id", type = "string" },
    { name = "lang", type = "string" },
    { name = "possibly_sensitive", type = "boolean" },
    { name = "public_metrics", type = "struct<retweet_count:bigint,reply_count:bigint,like_count:bigint,quote_count:bigint,bookmark_count:bigint,impression_count:bigint>" },
    { name = "note_tweet", type = "struct<text:string>" },
    { name = "entities", type = "struct<hashtags:array<struct<tag:string>>,mentions:array<struct<username:string>>,urls:array<struct<expanded_url:string>>>" },
    { name = "author", type = "struct<id:string,username:string,name:string,location:string,verified:boolean,verified_type:string,public_metrics:struct<followers_count:bigint,following_count:bigint,tweet_count:bigint,listed_count:bigint,like_count:bigint,media_count:bigint>>" },
    { name = "referenced_tweets", type = "array<struct<type:string,id:string>>" },
    { name = "attachments", type = "struct<media:array<struct<type:string,media_key:string>>>" },
    { name = "geo", type = "struct<full_name:string,place_id:string>" },
    { name = "ingest", type = "struct<query:string,fetched_at:string,source:string>" },
    { name = "edit_history_tweet_ids", type = "array<string>" },
  ]

  # The view's columns: the daemon's Parquet schema without `record`, in its order. Each has its
  # Glue (Hive) type, its Athena (Trino) type for the view definition, and the expression that
  # derives it from a JSON Lines table (a Parquet table has the column itself).
  athena_post_columns = [
    { name = "id", hive = "string", trino = "varchar", jsonl = "\"id\"" },
    { name = "created_at", hive = "timestamp", trino = "timestamp(3)", jsonl = "CAST(from_iso8601_timestamp(\"created_at\") AS timestamp(3))" },
    { name = "text", hive = "string", trino = "varchar", jsonl = "\"text\"" },
    { name = "full_text", hive = "string", trino = "varchar", jsonl = "coalesce(\"note_tweet\".\"text\", \"text\")" },
    { name = "lang", hive = "string", trino = "varchar", jsonl = "\"lang\"" },
    { name = "author_id", hive = "string", trino = "varchar", jsonl = "\"author_id\"" },
    { name = "conversation_id", hive = "string", trino = "varchar", jsonl = "\"conversation_id\"" },
    { name = "in_reply_to_user_id", hive = "string", trino = "varchar", jsonl = "\"in_reply_to_user_id\"" },
    { name = "possibly_sensitive", hive = "boolean", trino = "boolean", jsonl = "\"possibly_sensitive\"" },
    { name = "retweet_count", hive = "bigint", trino = "bigint", jsonl = "\"public_metrics\".\"retweet_count\"" },
    { name = "reply_count", hive = "bigint", trino = "bigint", jsonl = "\"public_metrics\".\"reply_count\"" },
    { name = "like_count", hive = "bigint", trino = "bigint", jsonl = "\"public_metrics\".\"like_count\"" },
    { name = "quote_count", hive = "bigint", trino = "bigint", jsonl = "\"public_metrics\".\"quote_count\"" },
    { name = "bookmark_count", hive = "bigint", trino = "bigint", jsonl = "\"public_metrics\".\"bookmark_count\"" },
    { name = "impression_count", hive = "bigint", trino = "bigint", jsonl = "\"public_metrics\".\"impression_count\"" },
    { name = "author_username", hive = "string", trino = "varchar", jsonl = "\"author\".\"username\"" },
    { name = "author_name", hive = "string", trino = "varchar", jsonl = "\"author\".\"name\"" },
    { name = "author_location", hive = "string", trino = "varchar", jsonl = "\"author\".\"location\"" },
    { name = "author_verified", hive = "boolean", trino = "boolean", jsonl = "\"author\".\"verified\"" },
    { name = "author_verified_type", hive = "string", trino = "varchar", jsonl = "\"author\".\"verified_type\"" },
    { name = "author_followers_count", hive = "bigint", trino = "bigint", jsonl = "\"author\".\"public_metrics\".\"followers_count\"" },
    { name = "author_following_count", hive = "bigint", trino = "bigint", jsonl = "\"author\".\"public_metrics\".\"following_count\"" },
    { name = "author_tweet_count", hive = "bigint", trino = "bigint", jsonl = "\"author\".\"public_metrics\".\"tweet_count\"" },
    { name = "author_listed_count", hive = "bigint", trino = "bigint", jsonl = "\"author\".\"public_metrics\".\"listed_count\"" },
    { name = "author_like_count", hive = "bigint", trino = "bigint", jsonl = "\"author\".\"public_metrics\".\"like_count\"" },
    { name = "author_media_count", hive = "bigint", trino = "bigint", jsonl = "\"author\".\"public_metrics\".\"media_count\"" },
    { name = "hashtags", hive = "array<string>", trino = "array(varchar)", jsonl = "transform(\"entities\".\"hashtags\", h -> h.\"tag\")" },
    { name = "mentions", hive = "array<string>", trino = "array(varchar)", jsonl = "transform(\"entities\".\"mentions\", m -> m.\"username\")" },
    { name = "urls", hive = "array<string>", trino = "array(varchar)", jsonl = "transform(\"entities\".\"urls\", u -> u.\"expanded_url\")" },
    { name = "referenced_tweets", hive = "array<struct<type:string,id:string>>", trino = "array(row(type varchar,id varchar))", jsonl = "\"referenced_tweets\"" },
    { name = "media_types", hive = "array<string>", trino = "array(varchar)", jsonl = "transform(\"attachments\".\"media\", m -> m.\"type\")" },
    { name = "place_full_name", hive = "string", trino = "varchar", jsonl = "\"geo\".\"full_name\"" },
    { name = "ingest_query", hive = "string", trino = "varchar", jsonl = "\"ingest\".\"query\"" },
    { name = "ingest_fetched_at", hive = "timestamp", trino = "timestamp(3)", jsonl = "CAST(from_iso8601_timestamp(\"ingest\".\"fetched_at\") AS timestamp(3))" },
    { name = "ingest_source", hive = "string", trino = "varchar", jsonl = "\"ingest\".\"source\"" },
  ]

  # Parquet: exactly the columns the daemon writes, in its order (README, "Parquet").
  athena_parquet_columns = concat(
    [for c in local.athena_post_columns : { name = c.name, type = c.hive }],
    [{ name = "record", type = "string" }],
  )

  # Per stream: the view's columns (the partition columns last) and its SQL.
  athena_view_columns = {
    for key, s in local.streams : key => concat(
      local.athena_post_columns,
      [for column in concat(local.athena_partition_columns[key], ["dt"]) : { name = column, hive = "string", trino = "varchar", jsonl = "\"${column}\"" }],
    )
  }
  athena_view_sql = {
    for key, s in local.streams : key => format(
      "SELECT\n  %s\nFROM \"%s\".\"%s\"",
      join(",\n  ", [
        for c in local.athena_view_columns[key] :
        s.output_format == "parquet" || c.jsonl == "\"${c.name}\"" ? "\"${c.name}\"" : "${c.jsonl} AS \"${c.name}\""
      ]),
      local.athena_database,
      local.athena_tables[key],
    )
  }

  # What Athena's CREATE VIEW would store: the SQL and the columns' Trino types.
  athena_view_text = {
    for key, sql in local.athena_view_sql : key => "/* Presto View: ${base64encode(jsonencode({
      originalSql = sql
      catalog     = "awsdatacatalog"
      schema      = local.athena_database
      columns     = [for c in local.athena_view_columns[key] : { name = c.name, type = c.trino }]
    }))} */"
  }
}

resource "aws_glue_catalog_database" "this" {
  count = var.athena ? 1 : 0

  name        = local.athena_database
  description = "tweet-ingest ${var.name}: one table and one <stream>_posts view per stream over s3://${var.bucket_name}"
}

resource "aws_glue_catalog_table" "stream" {
  for_each = local.athena_streams

  name          = local.athena_tables[each.key]
  database_name = aws_glue_catalog_database.this[0].name
  description   = "Stream ${each.key}: ${each.value.output_format == "parquet" ? "Parquet" : "JSON Lines"} objects under s3://${var.bucket_name}/${each.value.prefix}, partitions projected"
  table_type    = "EXTERNAL_TABLE"
  parameters    = local.athena_table_parameters[each.key]

  dynamic "partition_keys" {
    for_each = concat(local.athena_partition_columns[each.key], ["dt"])

    content {
      name    = partition_keys.value
      type    = "string"
      comment = partition_keys.value == "dt" ? "hour folder yyyy/MM/dd/HH (${coalesce(each.value.prefix_time_zone, "UTC")})" : "partition key ${trimprefix(partition_keys.value, "p_")} = ${lookup(each.value.partition_keys, trimprefix(partition_keys.value, "p_"), "")}"
    }
  }

  storage_descriptor {
    location      = "s3://${var.bucket_name}/${each.value.prefix}"
    input_format  = each.value.output_format == "parquet" ? "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat" : "org.apache.hadoop.mapred.TextInputFormat"
    output_format = each.value.output_format == "parquet" ? "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat" : "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = each.value.output_format == "parquet" ? "parquet" : "openx-json"
      serialization_library = each.value.output_format == "parquet" ? "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" : local.athena_openx_serde
      # JSON: the daemon writes whole, valid records, so a line that does not parse means a damaged
      # object, and the query should fail naming it rather than count a row of nulls. Member names
      # match case-insensitively (X's are all lower case); none contains a dot.
      parameters = each.value.output_format == "parquet" ? { "serialization.format" = "1" } : {
        "ignore.malformed.json" = "false"
        "case.insensitive"      = "true"
        "dots.in.keys"          = "false"
      }
    }

    dynamic "columns" {
      for_each = each.value.output_format == "parquet" ? local.athena_parquet_columns : local.athena_jsonl_columns

      content {
        name = columns.value.name
        type = columns.value.type
      }
    }
  }

  lifecycle {
    precondition {
      condition     = length(distinct(local.athena_names)) == length(local.athena_names)
      error_message = "Two streams give the same Glue table or view name (${jsonencode(local.athena_names)}): keys are lower-cased, '-' becomes '_', and each stream also has <name>_posts."
    }
  }
}

# An Athena view in the Glue catalog, as Athena's CREATE VIEW stores one: the SQL and the
# columns' Trino types in view_original_text, the Hive types in the storage descriptor. A type
# that does not match what the SQL yields makes Athena call the view stale.
resource "aws_glue_catalog_table" "posts" {
  for_each = local.athena_streams

  name          = local.athena_views[each.key]
  database_name = aws_glue_catalog_database.this[0].name
  description   = "Stream ${each.key}: one row per post with flat columns, the same for jsonl and parquet"
  table_type    = "VIRTUAL_VIEW"
  parameters = {
    presto_view = "true"
    comment     = "Presto View"
  }
  view_original_text = local.athena_view_text[each.key]
  view_expanded_text = "/* Presto View */"

  storage_descriptor {
    ser_de_info {
      name                  = "-"
      serialization_library = "-"
    }

    dynamic "columns" {
      for_each = local.athena_view_columns[each.key]

      content {
        name = columns.value.name
        type = columns.value.hive
      }
    }
  }

  depends_on = [aws_glue_catalog_table.stream]
}

resource "aws_athena_workgroup" "this" {
  count = var.athena ? 1 : 0

  name          = var.name
  description   = "tweet-ingest ${var.name}: queries over the streams' tables, results in s3://${var.bucket_name}/${var.athena_results_prefix}"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff_per_query

    # The views use engine 3 functions and types (transform, timestamp(3)).
    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = local.athena_results_location
      expected_bucket_owner = local.account_id

      encryption_configuration {
        encryption_option = local.use_kms_for_s3 ? "SSE_KMS" : "SSE_S3"
        kms_key_arn       = local.use_kms_for_s3 ? local.kms_key_arn : null
      }
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Analysts (optional, attached to nothing): query the streams through this workgroup only.
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "athena_analyst" {
  count = var.athena && var.athena_analyst_policy ? 1 : 0

  statement {
    sid = "QueryInTheWorkgroup"
    actions = [
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetQueryResultsStream",
      "athena:GetQueryRuntimeStatistics",
      "athena:ListQueryExecutions",
      "athena:BatchGetQueryExecution",
      "athena:GetWorkGroup",
    ]
    # Built from the name, as local.bucket_arn is: a policy document that refers to a resource
    # being created is only read at apply time, and could not be checked offline.
    resources = ["arn:${local.partition}:athena:${var.region}:${local.account_id}:workgroup/${var.name}"]
  }

  statement {
    sid = "ReadTheCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:GetPartition",
      "glue:GetPartitions",
    ]
    resources = [
      "arn:${local.partition}:glue:${var.region}:${local.account_id}:catalog",
      "arn:${local.partition}:glue:${var.region}:${local.account_id}:database/${local.athena_database}",
      "arn:${local.partition}:glue:${var.region}:${local.account_id}:table/${local.athena_database}/*",
    ]
  }

  statement {
    sid       = "ReadTheStreams"
    actions   = ["s3:GetObject"]
    resources = [for s in values(local.streams) : "${local.bucket_arn}/${s.prefix}*"]
  }

  statement {
    sid       = "ListTheStreams"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = concat([for s in values(local.streams) : "${s.prefix}*"], ["${var.athena_results_prefix}*"])
    }
  }

  statement {
    sid       = "FindTheBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }

  statement {
    sid = "WriteAndReadResults"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${local.bucket_arn}/${var.athena_results_prefix}*"]
  }

  dynamic "statement" {
    for_each = local.use_kms_for_s3 ? [1] : []

    content {
      sid       = "UseTheBucketKeyThroughS3"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [local.kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_policy" "athena_analyst" {
  count = var.athena && var.athena_analyst_policy ? 1 : 0

  name        = "${var.name}-athena-analyst"
  description = "Query the ${var.name} streams in Athena workgroup ${var.name} (results under ${var.athena_results_prefix})"
  policy      = data.aws_iam_policy_document.athena_analyst[0].json
}
