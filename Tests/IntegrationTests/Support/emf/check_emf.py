#!/usr/bin/env python3
"""Validates Embedded Metric Format lines read on stdin (other lines are ignored).

Each line whose JSON has an "_aws" member is checked against emf_schema.json (jsonschema) and
against the specification's reference rules: every dimension key and metric name a directive
names is a member of the root node, dimension values are strings, metric values are numbers.
Prints one JSON summary line: {"documents": N, "totals": {metric: sum}, "errors": [...]};
exits 1 if any document is invalid or none was found.
"""
import json
import os
import sys

import jsonschema


def main():
    with open(os.path.join(os.path.dirname(__file__), "emf_schema.json")) as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft7Validator(schema)
    documents, totals, errors = 0, {}, []
    for number, line in enumerate(sys.stdin, 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if "_aws" not in document:
            continue
        documents += 1
        for error in validator.iter_errors(document):
            errors.append("line %d: %s" % (number, error.message))
        for directive in document.get("_aws", {}).get("CloudWatchMetrics", []):
            for dimension_set in directive.get("Dimensions", []):
                for key in dimension_set:
                    if not isinstance(document.get(key), str):
                        errors.append("line %d: dimension %r is not a string member of the root" % (number, key))
            for metric in directive.get("Metrics", []):
                value = document.get(metric.get("Name"))
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    errors.append("line %d: metric %r has no numeric value in the root" % (number, metric.get("Name")))
                else:
                    totals[metric["Name"]] = totals.get(metric["Name"], 0) + value
    print(json.dumps({"documents": documents, "totals": totals, "errors": errors}))
    return 1 if errors or documents == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
