#!/usr/bin/env python3
"""Prints one JSON Lines line as a JSON Schema sees it, for the benchmarks: the
dataset schema's definitions (argument 1), each kind allowing the "record"
member that names it."""
import json
import sys

s = json.load(open(sys.argv[1]))
kinds = ["entity", "event", "source", "designation"]
for k in kinds:
    s["$defs"][k]["properties"]["record"] = {"const": k}
print(json.dumps({
    "$schema": s["$schema"], "$defs": s["$defs"], "type": "object",
    "required": ["record"], "properties": {"record": {"enum": kinds}},
    "allOf": [{"if": {"properties": {"record": {"const": k}}},
               "then": {"$ref": "#/$defs/" + k}} for k in kinds]}))
