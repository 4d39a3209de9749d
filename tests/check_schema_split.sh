#!/usr/bin/env bash
# validate --schema checks a JSON document's array members an element at a
# time when the schema allows it (memory holds the largest element, not the
# document), and must say exactly what checking the whole document says:
# each document below, valid or wrong in one way, read from its file (in
# pieces) gives the diagnostics that the same bytes on standard input (read
# whole) give. Then a large document stays small in memory.
cd "$DOSSIER_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
fail=0
python3 - "$tmp" << 'EOF'
import json, sys
tmp = sys.argv[1]
def put(name, text):
    open(tmp + "/" + name, "w").write(text)
article = json.load(open("fixtures/article/article.json"))
put("article.json", json.dumps(article, indent=2, ensure_ascii=False))
bad = json.loads(json.dumps(article))
bad["entities"][3]["id"] = "Not An Id"
bad["entities"][5]["kind"] = 7
bad["events"].insert(2, "a string")
bad["extra"] = {"nested": [1, 2]}
put("article-bad.json", json.dumps(bad, indent=1, ensure_ascii=False))
put("article-compact-bad.json", json.dumps(bad, ensure_ascii=False))
text = json.dumps(article, indent=2)
put("duplicate-member.json", text[:-2] + ',\n  "sources": []\n}')
put("syntax-in-element.json", text.replace('"kind": "person"', '"kind": "person",', 1))
put("trailing-text.json", text + " x")
put("not-an-object.json", json.dumps(article["entities"]))
put("empty-object.json", "{}")
put("entities-not-array.json", '{"entities": {"id": "x"}}')
schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
          "$ref": "#/$defs/doc",
          "$defs": {"doc": {"type": "object", "required": ["a", "items"],
                            "properties": {
                                "items": {"type": "array", "minItems": 3, "maxItems": 4,
                                          "items": {"$ref": "#/$defs/small"}},
                                "a": {"type": "string"},
                                "a/b~c": {"type": "array", "items": {"type": "integer"}}},
                            "additionalProperties": {"type": "boolean"}},
                    "small": {"type": "integer", "maximum": 10}}}
put("counts.schema.json", json.dumps(schema))
put("counts-ok.json", '{"a": "x", "items": [1, 2, 3]}')
put("counts-bad.json", '{"a": "x",\n "items": [1, 2, 30,\n   "s", 5]}')
put("counts-missing.json", '{"items": [1]}')
put("counts-members.json", '{"a": 1, "items": [], "z": 3, "a/b~c": [1, "x"], "y": true}')
unique = dict(schema)
unique["$defs"] = dict(schema["$defs"])
unique["$defs"]["doc"] = dict(schema["$defs"]["doc"], properties=dict(
    schema["$defs"]["doc"]["properties"], items={"type": "array", "uniqueItems": True}))
put("unique.schema.json", json.dumps(unique))
put("unique-bad.json", '{"a": "x", "items": [1, 2, 1]}')
EOF
# same SCHEMA DOC: the file's diagnostics are those of its bytes read whole.
same() {
    local schema=$1 doc=$2
    run validate -q --schema "$schema" "$doc" > "$tmp/split.out" 2>&1
    echo "exit $?" >> "$tmp/split.out"
    run validate -q --schema "$schema" - < "$doc" 2>&1 | sed "s|^-:|$doc:|" > "$tmp/whole.out"
    echo "exit ${PIPESTATUS[0]}" >> "$tmp/whole.out"
    if cmp -s "$tmp/split.out" "$tmp/whole.out"; then
        echo "ok schema split $(basename "$doc")"
    else
        echo "FAIL schema split $(basename "$doc"): in pieces and whole differ"
        diff "$tmp/whole.out" "$tmp/split.out" | head -6
        fail=1
    fi
}
for doc in article article-bad article-compact-bad duplicate-member syntax-in-element \
    trailing-text not-an-object empty-object entities-not-array; do
    same schemas/dossier.schema.json "$tmp/$doc.json"
done
for doc in counts-ok counts-bad counts-missing counts-members; do
    same "$tmp/counts.schema.json" "$tmp/$doc.json"
done
same "$tmp/unique.schema.json" "$tmp/unique-bad.json"
# The wrong documents are found wrong: the comparison above is not of two silences.
run validate -q --schema "$tmp/counts.schema.json" "$tmp/counts-bad.json" > /dev/null 2> "$tmp/errors"
if [ "$(grep -c error "$tmp/errors")" -eq 3 ] && grep -q 'items/2' "$tmp/errors" &&
    grep -q 'expected at most 4 items, found 5' "$tmp/errors"; then
    echo "ok schema split finds each element's error and the count's"
else
    echo "FAIL schema split counts-bad: $(cat "$tmp/errors")"
    fail=1
fi
# Memory holds an element, not the document (the plain build alone measures).
if [ -z "${DOSSIER_WRAP:-}" ] && [[ $DOSSIER != */san/* ]] && [ -x /usr/bin/time ]; then
    python3 - "$tmp/big.json" << 'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"entities": [\n')
    for i in range(150000):
        f.write('%s{"id": "e%d", "kind": "person", "name": "Person %d", "aliases": ["P %d"]}\n'
                % ("," if i else "", i, i, i))
    f.write("]}\n")
EOF
    /usr/bin/time -f %M -o "$tmp/kb" "$DOSSIER" validate -q --schema schemas/dossier.schema.json \
        "$tmp/big.json" 2> /dev/null
    kb=$(tail -1 "$tmp/kb")
    if [ "$kb" -lt 20000 ]; then
        echo "ok schema split: a $(($(stat -c %s "$tmp/big.json") / 1000000)) MB document in $((kb / 1024)) MiB"
    else
        echo "FAIL schema split: a large document took $((kb / 1024)) MiB"
        fail=1
    fi
fi
exit $fail
