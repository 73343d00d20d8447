#!/usr/bin/env python3
"""Reads a Parquet file with two independent readers, pyarrow and DuckDB, and checks it against
the expected JSON the Swift test wrote beside it:

  {"schema": [field...], "rows": [...], "min_row_groups": N, "dictionary": {"a.b": true}}

field: {"name", "type": string|int64|boolean|timestamp|list|struct, "optional",
        "element": field (list), "fields": [field] (struct)}. Timestamps are milliseconds.

Checks: the rows, values and nulls read by each reader; per row group and leaf column,
null_count, min and max against what the rows imply (byte-array bounds longer than 64 bytes may
be truncated: the minimum to a prefix, the maximum to something not below the true maximum);
a dictionary page where "dictionary" says (true: present, false: absent).
Exit 0 when all hold; 1 with one line per mismatch; 2 when a reader is missing.
"""
import datetime
import json
import sys

try:
    import duckdb
    import pyarrow.parquet as pq
except ImportError as error:
    print(f"read_parquet.py: {error}: run scripts/setup.sh --test (it installs pyarrow and duckdb)")
    sys.exit(2)

TRUNCATE = 64
problems = []


def problem(text):
    problems.append(text)


def to_millis(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return round(value.timestamp() * 1000)
    return value


def normalize(value, field):
    """A reader's value in the expected JSON's form."""
    if value is None:
        return None
    kind = field["type"]
    if kind == "timestamp":
        return to_millis(value)
    if kind == "list":
        return [normalize(element, field["element"]) for element in value]
    if kind == "struct":
        return {child["name"]: normalize(value.get(child["name"]), child) for child in field["fields"]}
    return value


def leaves(field, path):
    """(path, leaf field, level-entry extractor) for every leaf under field, depth first."""
    if field["type"] == "list":
        return leaves(field["element"], path + ["list", "element"])
    if field["type"] == "struct":
        return [leaf for child in field["fields"] for leaf in leaves(child, path + [child["name"]])]
    return [(path, field)]


def entries(value, field, leaf_path):
    """The leaf's values in one row, None for every level entry without a value (Dremel)."""
    if value is None:
        return [None]
    kind = field["type"]
    if kind == "list":
        if not value:
            return [None]
        return [entry for element in value for entry in entries(element, field["element"], leaf_path[2:])]
    if kind == "struct":
        child = next(c for c in field["fields"] if c["name"] == leaf_path[0])
        return entries(value.get(child["name"]), child, leaf_path[1:])
    return [value]


def compare_rows(reader, got, expected, schema):
    if len(got) != len(expected):
        problem(f"{reader}: {len(got)} rows, expected {len(expected)}")
    for index, (row, want) in enumerate(zip(got, expected)):
        for field in schema:
            value = normalize(row.get(field["name"]), field)
            if value != want.get(field["name"]):
                problem(f"{reader}: row {index} {field['name']}: {value!r:.200}, expected {want.get(field['name'])!r:.200}")


def expected_statistics(rows, field, path):
    values = []
    nulls = 0
    for row in rows:
        for entry in entries(row.get(field["name"]), field, path[1:]):
            if entry is None:
                nulls += 1
            else:
                values.append(entry)
    return values, nulls


def check_bounds(where, kind, values, minimum, maximum):
    if not values:
        if minimum is not None or maximum is not None:
            problem(f"{where}: min/max {minimum!r}/{maximum!r} for a column without values")
        return
    low, high = min(values), max(values)
    if kind == "string":
        low_bytes, high_bytes = low.encode(), high.encode()
        got_min = minimum.encode() if isinstance(minimum, str) else minimum
        got_max = maximum.encode() if isinstance(maximum, str) else maximum
        if len(low_bytes) <= TRUNCATE:
            if got_min != low_bytes:
                problem(f"{where}: min {got_min!r:.80}, expected {low_bytes!r:.80}")
        elif got_min is None or not low_bytes.startswith(got_min) or len(got_min) > TRUNCATE:
            problem(f"{where}: min {got_min!r:.80} is not a short prefix of {low_bytes!r:.80}")
        if len(high_bytes) <= TRUNCATE:
            if got_max != high_bytes:
                problem(f"{where}: max {got_max!r:.80}, expected {high_bytes!r:.80}")
        elif got_max is not None and (got_max < high_bytes or len(got_max) > TRUNCATE + 4):
            problem(f"{where}: max {got_max!r:.80} is not a short bound above {high_bytes!r:.80}")
    else:
        if to_millis(minimum) != low or to_millis(maximum) != high:
            problem(f"{where}: min/max {minimum!r}/{maximum!r}, expected {low!r}/{high!r}")


def main():
    path, expected_path = sys.argv[1], sys.argv[2]
    with open(expected_path) as file:
        expected = json.load(file)
    for reader, check in (("pyarrow", check_pyarrow), ("duckdb", check_duckdb)):
        try:
            check(path, expected)
        except Exception as error:  # a file a reader cannot read is a finding, not a crash
            problem(f"{reader}: could not read {path}: {type(error).__name__}: {error}")
    for line in problems[:50]:
        print(line)
    if len(problems) > 50:
        print(f"... and {len(problems) - 50} more")
    sys.exit(1 if problems else 0)


def columns_of(schema):
    return [(field, leaf_path, leaf) for field in schema for (leaf_path, leaf) in leaves(field, [field["name"]])]


def check_pyarrow(path, expected):
    """Rows, then the footer's statistics per row group and column."""
    schema, rows = expected["schema"], expected["rows"]

    parquet = pq.ParquetFile(path)
    compare_rows("pyarrow", parquet.read().to_pylist(), rows, schema)
    metadata = parquet.metadata
    if metadata.num_rows != len(rows):
        problem(f"pyarrow: footer says {metadata.num_rows} rows, expected {len(rows)}")
    if metadata.num_row_groups < expected.get("min_row_groups", 1):
        problem(f"pyarrow: {metadata.num_row_groups} row groups, expected at least {expected['min_row_groups']}")
    columns = columns_of(schema)
    dictionary = expected.get("dictionary", {})
    first = 0
    for group_index in range(metadata.num_row_groups):
        group = metadata.row_group(group_index)
        group_rows = rows[first : first + group.num_rows]
        first += group.num_rows
        for column_index, (field, leaf_path, leaf) in enumerate(columns):
            chunk = group.column(column_index)
            name = ".".join(leaf_path)
            where = f"pyarrow: row group {group_index} column {name}"
            if chunk.path_in_schema != name:
                problem(f"{where}: path_in_schema {chunk.path_in_schema}")
            values, nulls = expected_statistics(group_rows, field, leaf_path)
            statistics = chunk.statistics
            if statistics is None:
                problem(f"{where}: no statistics")
                continue
            if statistics.null_count != nulls:
                problem(f"{where}: null_count {statistics.null_count}, expected {nulls}")
            minimum = statistics.min if statistics.has_min_max else None
            maximum = statistics.max if statistics.has_min_max else None
            check_bounds(where, leaf["type"], values, minimum, maximum)
            if name in dictionary and chunk.has_dictionary_page != dictionary[name]:
                problem(f"{where}: has_dictionary_page {chunk.has_dictionary_page}, expected {dictionary[name]}")


def check_duckdb(path, expected):
    """Rows, then DuckDB's own reading of the footer."""
    schema, rows = expected["schema"], expected["rows"]
    columns = columns_of(schema)
    dictionary = expected.get("dictionary", {})
    connection = duckdb.connect()
    result = connection.execute("SELECT * FROM read_parquet(?)", [path])
    names = [description[0] for description in result.description]
    compare_rows("duckdb", [dict(zip(names, row)) for row in result.fetchall()], rows, schema)
    footer = connection.execute(
        "SELECT row_group_id, path_in_schema, stats_null_count, stats_min_value, stats_max_value, dictionary_page_offset "
        "FROM parquet_metadata(?) ORDER BY row_group_id, column_id",
        [path],
    ).fetchall()
    group_sizes = dict(
        connection.execute("SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata(?)", [path]).fetchall()
    )
    group_ranges, first = {}, 0
    for group_id in sorted(group_sizes):
        group_ranges[group_id] = (first, group_sizes[group_id])
        first += group_sizes[group_id]
    if first != len(rows):
        problem(f"duckdb: row groups hold {first} rows, expected {len(rows)}")
    if len(footer) != len(group_sizes) * len(columns):
        problem(f"duckdb: {len(footer)} column chunks, expected {len(group_sizes) * len(columns)}")
    for group_id, path_in_schema, null_count, minimum, maximum, dictionary_offset in footer:
        first, count = group_ranges[group_id]
        matches = [c for c in columns if ".".join(c[1]) == path_in_schema.replace(", ", ".")]
        if not matches:
            problem(f"duckdb: unknown column {path_in_schema}")
            continue
        field, leaf_path, leaf = matches[0]
        where = f"duckdb: row group {group_id} column {path_in_schema}"
        values, nulls = expected_statistics(rows[first : first + count], field, leaf_path)
        if null_count != nulls:
            problem(f"{where}: stats_null_count {null_count}, expected {nulls}")
        if leaf["type"] in ("string", "int64") and values:
            if leaf["type"] == "int64":
                minimum, maximum = int(minimum), int(maximum)
            check_bounds(where, leaf["type"], values, minimum, maximum)
        elif values and (minimum is None or maximum is None):
            problem(f"{where}: no min/max")
        name = ".".join(leaf_path)
        if name in dictionary and (dictionary_offset is not None) != dictionary[name]:
            problem(f"{where}: dictionary_page_offset {dictionary_offset}, expected a dictionary: {dictionary[name]}")


if __name__ == "__main__":
    main()
