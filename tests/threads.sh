#!/usr/bin/env bash
# The -j workers under ThreadSanitizer (make check builds build/tsan/dossier):
# datasets in JSON Lines (some lines wrong), as a JSON document, as CSV
# tables, as one XML file and as a folder of small files, with references by
# name, and validate --schema over JSON, each with three threads, and the
# sorts spilling aside. A data race is an error report and exit 66; the
# output must also be what one thread gives.
dossier=${1:?usage: tests/threads.sh build/tsan/dossier}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
python3 "$root/bench/gen.py" 8000 > "$tmp/good.jsonl"
sed '97~97s/"id": "/"id": "Bad /' "$tmp/good.jsonl" > "$tmp/bad.jsonl"
"$dossier" convert -q -j 1 --to json -o "$tmp/good.json" "$tmp/good.jsonl" || exit 1
"$dossier" convert -q -j 1 --to csv -o "$tmp/csv" "$tmp/good.jsonl" || exit 1
sed -i '97~97s/^person-/Bad person-/' "$tmp/csv/entities.csv"
# Folders of small files, a file per thread: JSON Lines parts, XML parts.
mkdir "$tmp/folder"
split -n l/6 -d --additional-suffix=.jsonl "$tmp/bad.jsonl" "$tmp/folder/part-"
"$dossier" convert -q -j 1 --to xml -o "$tmp/good.xml" "$tmp/good.jsonl" || exit 1
python3 "$root/bench/split_xml.py" "$tmp/good.xml" "$tmp/xml-parts" 6
sed '0~89s/id="/id="Bad /' "$tmp/good.xml" > "$tmp/bad.xml"
# Every 20th record an event whose participants are named, not given by id
# (every 60th by a name no entity bears): the index reads names back, and the
# records are visited again.
python3 - "$tmp/good.jsonl" > "$tmp/names.jsonl" << 'EOF'
import json, sys
records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
names = {r["id"]: r["name"] for r in records if r["record"] == "entity"}
for i, r in enumerate(records):
    if r["record"] == "event" and i % 20 == 0:
        for p in r.get("participants", []):
            p["entity"] = names[p["entity"]] if i % 60 else "Nobody Known %d" % i
    print(json.dumps(r, ensure_ascii=False))
EOF
echo '{"type":"object","required":["record"],"properties":{"id":{"pattern":"^[a-z0-9-]+$"}}}' \
    > "$tmp/line.schema.json"
fail=0
check() { # what, then the command's arguments
    local what=$1
    shift
    "$dossier" "$@" -j 1 > "$tmp/one" 2>&1
    local one=$?
    "$dossier" "$@" -j 3 > "$tmp/three" 2>&1
    local three=$?
    if [ $three -eq 66 ] || grep -q 'ThreadSanitizer' "$tmp/three"; then
        echo "FAIL threads $what: a data race"
        grep -A12 'WARNING: ThreadSanitizer' "$tmp/three" | head -20
        fail=1
    elif [ $one -ne $three ] || ! cmp -s "$tmp/one" "$tmp/three"; then
        echo "FAIL threads $what: three threads and one differ (exit $one, $three)"
        fail=1
    else
        echo "ok threads $what (exit $three)"
    fi
}
check "validate JSON Lines" validate -q "$tmp/bad.jsonl"
check "validate a JSON document" validate -q "$tmp/good.json"
check "convert JSON Lines" convert -q --to jsonl -o - "$tmp/good.jsonl"
check "validate CSV tables" validate -q "$tmp/csv"
check "validate a folder of small files" validate -q "$tmp/folder"
check "validate a folder of XML files" validate -q "$tmp/xml-parts"
check "validate one XML file" validate -q "$tmp/bad.xml"
check "convert one XML file" convert -q --to jsonl -o - "$tmp/good.xml"
# A small sort budget: every sort spills, in threads of its own past -j 1.
DOSSIER_SORT_MEMORY=65536 check "validate JSON Lines, spilling" validate -q "$tmp/bad.jsonl"
DOSSIER_SORT_MEMORY=65536 check "convert JSON Lines, spilling" convert -q --to jsonl -o - \
    "$tmp/good.jsonl"
check "validate references by name" validate -q "$tmp/names.jsonl"
DOSSIER_SORT_MEMORY=65536 check "validate references by name, spilling" validate -q \
    "$tmp/names.jsonl"
check "validate --schema, JSON Lines" validate -q --schema "$tmp/line.schema.json" "$tmp/bad.jsonl"
check "validate --schema, a JSON document" validate -q --schema "$root/schemas/dossier.schema.json" \
    "$tmp/good.json"
exit $fail
