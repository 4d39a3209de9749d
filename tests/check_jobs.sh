#!/usr/bin/env bash
# -j N changes how many threads work, never what comes out: a dataset of
# several megabytes (many blocks of JSON Lines), with bad lines of every kind
# spread through it, gives the same diagnostics (every one, in every report
# form) and the same converted bytes with -j 1, -j 2 and -j 3, in each format.
cd "$DOSSIER_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
records=20000
# Under a wrapper or the sanitizers a quarter: still several blocks of lines.
[ -n "${DOSSIER_WRAP:-}" ] || [[ $DOSSIER == */san/* ]] && records=5000
python3 bench/gen.py "$records" > "$tmp/good.jsonl"
# Every 97th line broken in one of several ways, some found by the reader,
# some by the model, some only once the whole dataset is read.
python3 - "$tmp/good.jsonl" "$tmp/bad.jsonl" << 'EOF'
import sys
faults = [
    lambda l: l.replace('"id": "', '"id": "Bad ', 1),             # the model: an id
    lambda l: l[:-2] + ', "colour": "red"}\n',                     # an unknown field
    lambda l: l[:-2] + ',}\n',                                     # a syntax error
    lambda l: l.replace('"record": "', '"record": "x', 1),         # an unknown kind
    lambda l: l.replace('"id": "', '"id": "person-0000001', 1),   # a duplicate id, maybe
    lambda l: '\n',                                                # an empty line
    lambda l: l.replace('"name": "', '"name": "  \\u0001', 1),    # a control character
]
with open(sys.argv[1]) as good, open(sys.argv[2], "w") as bad:
    for i, line in enumerate(good):
        bad.write(faults[i // 97 % len(faults)](line) if i % 97 == 5 else line)
EOF
# A JSON Lines line as a JSON Schema sees it: an object naming its kind.
cat > "$tmp/line.schema.json" << 'EOF'
{"type": "object", "required": ["record", "id"],
 "properties": {"record": {"enum": ["entity", "event", "source", "designation"]},
                "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}}}
EOF
fail=0
same() { # what, then the files that must be equal
    local what=$1 first=$2
    shift 2
    for f in "$@"; do
        if ! cmp -s "$first" "$f"; then
            echo "FAIL jobs $what: $(basename "$first") and $(basename "$f") differ"
            diff "$first" "$f" | head -5
            fail=1
            return
        fi
    done
    echo "ok jobs $what"
}
for j in 1 2 3; do
    run validate -q -j $j "$tmp/bad.jsonl" > /dev/null 2> "$tmp/text.$j"
    echo "exit $?" >> "$tmp/text.$j"
    run validate -j $j --report json "$tmp/bad.jsonl" > "$tmp/json.$j" 2>&1
    run validate -q -j $j --schema "$tmp/line.schema.json" "$tmp/bad.jsonl" > "$tmp/schema.$j" 2>&1
    run convert -q -j $j --to jsonl -o "$tmp/out.$j.jsonl" "$tmp/good.jsonl"
    run convert -q -j $j --to json -o "$tmp/out.$j.json" "$tmp/good.jsonl"
    run convert -q -j $j --to xml -o "$tmp/out.$j.xml" "$tmp/good.jsonl"
    run convert -q -j $j --to csv -o "$tmp/csv.$j" "$tmp/good.jsonl"
done
# A JSON document, its arrays read in blocks too: elements wrong for the
# model, then the same with an element that is not JSON near the end (reading
# stops there, whatever the threads found past it).
python3 - "$tmp/out.1.json" "$tmp/doc-bad.json" "$tmp/doc-syntax.json" << 'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for kind, items in doc.items():
    for i in range(5, len(items), 89):
        items[i] = [dict(items[i], id="Bad Id"), 12, dict(items[i], colour="red")][i % 3]
text = json.dumps(doc, indent=1, ensure_ascii=False)
open(sys.argv[2], "w").write(text)
cut = text.index('"id"', len(text) * 4 // 5)
open(sys.argv[3], "w").write(text[:cut] + '"id": , ' + text[cut:])
EOF
for j in 1 2 3; do
    for d in doc-bad doc-syntax; do
        run validate -q -j $j "$tmp/$d.json" > "$tmp/$d.$j" 2>&1
        echo "exit $?" >> "$tmp/$d.$j"
        # JSON Schema, the arrays' elements checked in blocks by the threads.
        run validate -q -j $j --schema schemas/dossier.schema.json "$tmp/$d.json" \
            > "$tmp/$d.schema.$j" 2>&1
        echo "exit $?" >> "$tmp/$d.schema.$j"
    done
done
same "validate a JSON document" "$tmp"/doc-bad.{1,2,3}
same "validate a JSON document that stops" "$tmp"/doc-syntax.{1,2,3}
same "validate --schema, a JSON document" "$tmp"/doc-bad.schema.{1,2,3}
same "validate --schema, a JSON document not JSON" "$tmp"/doc-syntax.schema.{1,2,3}
[ "$(grep -c 'error' "$tmp/doc-bad.schema.1")" -gt $((records / 100)) ] &&
    [ "$(grep -c 'error' "$tmp/doc-syntax.schema.1")" = 1 ] ||
    { echo "FAIL jobs: --schema gave too few errors, or more than the syntax error"; fail=1; }
[ "$(grep -c 'error' "$tmp/doc-bad.1")" -gt $((records / 100)) ] && grep -q 'exit 1' "$tmp/doc-syntax.1" &&
    [ "$(grep -c 'error' "$tmp/doc-syntax.1")" -lt "$(grep -c 'error' "$tmp/doc-bad.1")" ] ||
    { echo "FAIL jobs: the bad JSON documents gave too few errors to compare"; fail=1; }
[ "$(grep -c 'error' "$tmp/text.1")" -gt $((records / 100)) ] && [ "$(grep -c 'error' "$tmp/schema.1")" -gt 20 ] ||
    { echo "FAIL jobs: the bad dataset gave too few errors to compare"; fail=1; }
same "validate, text diagnostics" "$tmp"/text.{1,2,3}
same "validate, JSON report" "$tmp"/json.{1,2,3}
same "validate --schema" "$tmp"/schema.{1,2,3}
same "convert to JSON Lines" "$tmp"/out.{1,2,3}.jsonl
same "convert to XML" "$tmp"/out.{1,2,3}.xml
same "convert to JSON" "$tmp"/out.{1,2,3}.json
for t in entities designations events sources; do
    same "convert to CSV ($t)" "$tmp"/csv.{1,2,3}/$t.csv
done
# Folders of many small files, read a file per thread: the bad dataset in
# parts, with its last half as one large file among them, read by all the
# threads together; and the good one as XML in parts (bench/split_xml.py),
# one with an id gone wrong.
mkdir "$tmp/folder"
half=$(($(wc -l < "$tmp/bad.jsonl") / 2))
head -n $half "$tmp/bad.jsonl" > "$tmp/first-half.jsonl"
split -n l/20 -d -a 2 --additional-suffix=.jsonl "$tmp/first-half.jsonl" "$tmp/folder/part-"
tail -n +$((half + 1)) "$tmp/bad.jsonl" > "$tmp/folder/part-10-large.jsonl"
python3 bench/split_xml.py "$tmp/out.1.xml" "$tmp/xml-parts" 16
sed -i '0,/id="/s/id="/id="Bad /' "$tmp/xml-parts/part-0007.xml"
for j in 1 2 3; do
    for d in folder xml-parts; do
        run validate -j $j "$tmp/$d" > "$tmp/$d.$j" 2>&1
        echo "exit $?" >> "$tmp/$d.$j"
    done
done
same "validate a folder of many files" "$tmp"/folder.{1,2,3}
same "validate a folder of XML files" "$tmp"/xml-parts.{1,2,3}
# Eight threads reading their first XML files at once: libxml2 makes the XSD's
# built-in types lazily, without a lock, so dossier must do it before them; a
# race there leaks a set, which LeakSanitizer reports (under make check's ASan).
leaked=0
for i in 1 2 3 4 5; do
    run validate -q -j 8 "$tmp/xml-parts" > "$tmp/race" 2>&1
    grep -q 'LeakSanitizer' "$tmp/race" && leaked=1
done
if [ $leaked = 0 ]; then echo "ok jobs XML files read by eight threads at once"; else
    echo "FAIL jobs XML files read by eight threads at once: a leak"; fail=1; fi
grep -q 'part-0007.xml:.*error' "$tmp/xml-parts.1" &&
    [ "$(grep -c 'part-[0-9]*.jsonl:.*error' "$tmp/folder.1")" -gt $((records / 200)) ] ||
    { echo "FAIL jobs: the folders gave too few errors to compare"; fail=1; }
# The other formats read back the same with any -j.
for j in 1 2; do
    run convert -q -j $j --to jsonl -o "$tmp/docback.$j.jsonl" "$tmp/out.1.json"
    run convert -q -j $j --to jsonl -o "$tmp/back.$j.jsonl" "$tmp/out.1.xml"
    run convert -q -j $j --to jsonl -o "$tmp/csvback.$j.jsonl" "$tmp/csv.1"
done
# One XML file, read in blocks by the threads: problems in records every
# 97th record, and stray text between records past the middle, from where it
# is read again in one pass. The same report with any -j.
python3 - "$tmp/out.1.xml" "$tmp/bad.xml" << 'EOF'
import re, sys
text = open(sys.argv[1]).read()
n = [0]
def spoil(m):
    n[0] += 1
    return m.group(0).replace('id="', 'id="Bad ') if n[0] % 97 == 5 else m.group(0)
text = re.sub(r'<(entity|event|source) id="', spoil, text)
at = text.index('</event>', len(text) * 6 // 10) + len('</event>')
open(sys.argv[2], "w").write(text[:at] + "stray text" + text[at:])
EOF
for j in 1 2 3; do
    run validate -j $j "$tmp/bad.xml" > "$tmp/bad-xml.$j" 2>&1
    echo "exit $?" >> "$tmp/bad-xml.$j"
done
same "validate one XML file" "$tmp"/bad-xml.{1,2,3}
[ "$(grep -c 'invalid id' "$tmp/bad-xml.1")" -gt $((records / 200)) ] &&
    grep -q 'unexpected text' "$tmp/bad-xml.1" ||
    { echo "FAIL jobs: the XML file gave too few errors to compare"; fail=1; }
same "JSON read back" "$tmp/out.1.jsonl" "$tmp"/docback.{1,2}.jsonl
same "XML read back" "$tmp/out.1.jsonl" "$tmp"/back.{1,2}.jsonl
same "CSV read back" "$tmp/out.1.jsonl" "$tmp"/csvback.{1,2}.jsonl
# -j takes a number of threads, and says so.
run validate -j 0 "$tmp/good.jsonl" > /dev/null 2> "$tmp/usage"
status=$?
if [ $status -eq 2 ] && grep -q 'from 1 to 1024' "$tmp/usage"; then
    echo "ok jobs -j 0 is a usage error"
else
    echo "FAIL jobs -j 0: exit $status, $(head -c 200 "$tmp/usage")"
    fail=1
fi
exit $fail
