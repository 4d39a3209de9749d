#!/usr/bin/env bash
# The external sort: with a tiny memory budget, records spill to many sorted
# runs (more than one merge pass) and must come out exactly as an in-memory
# sort gives them, duplicates reported once with both places, with few files
# open and the run files in TMPDIR.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
python3 - <<'PY'
import json, random
random.seed(7)
ents = [{"id": "e-%05d" % i, "kind": "person", "name": "Name  %d" % i,
         "aliases": ["Z%d" % i, "A %d" % i]} for i in range(6000)]
evs = [{"id": "v-%04d" % i, "date": "2001-02-0%d" % (1 + i % 9), "kind": "meeting",
        "summary": "s%d" % i} for i in range(3000)]
random.shuffle(ents); random.shuffle(evs)
with open("data.jsonl", "w") as f:
    for r in evs + ents:
        f.write(json.dumps(dict(r, record="event" if "summary" in r else "entity")) + "\n")
with open("dup.jsonl", "w") as f:
    for r in ents[:3000] + [dict(ents[2500], name="second")] + ents[3000:]:
        f.write(json.dumps(dict(r, record="entity")) + "\n")
PY
check() { if [ "$2" = 0 ]; then echo "ok sort/$1"; else echo "FAIL sort/$1"; fi; }
"$DOSSIER" convert --to jsonl data.jsonl > memory.out 2>&1
DOSSIER_SORT_MEMORY=20000 "$DOSSIER" convert --to jsonl data.jsonl > spilled.out 2>&1
cmp -s memory.out spilled.out; check spilled-equals-in-memory $?
python3 -c "
import json,sys
recs=[json.loads(l) for l in open('memory.out')]
keys=[(r['record'] != 'entity', r['id']) for r in recs]
sys.exit(0 if keys == sorted(keys) and len(recs) == 9000 else 1)"; check canonical-order $?
DOSSIER_SORT_MEMORY=20000 "$DOSSIER" convert --to jsonl dup.jsonl > dup.out 2> dup.err; rc=$?
line=$(grep -n '"name": "second"' dup.jsonl | cut -d: -f1)
first=$(grep -n "\"id\": \"$(sed -n "${line}p" dup.jsonl | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')\"" dup.jsonl | head -1 | cut -d: -f1)
[ "$rc" = 1 ] && [ ! -s dup.out ] && [ "$(wc -l < dup.err)" = 1 ] &&
    grep -q "^dup.jsonl:$line:1: error: duplicate entity id .*: first defined at dup.jsonl:$first:1\$" dup.err
check duplicate-across-runs $?

# Runs are merged as they pile up: a 4 KiB budget (about a thousand runs here)
# needs only a few files open at once.
(ulimit -n 64 && DOSSIER_SORT_MEMORY=4096 "$DOSSIER" convert --to jsonl data.jsonl > tiny.out 2>&1)
cmp -s memory.out tiny.out; check tiny-budget-64-files $?
# Run files go to TMPDIR; one that does not exist is reported as it is.
TMPDIR=$tmp/none DOSSIER_SORT_MEMORY=4096 "$DOSSIER" convert --to jsonl data.jsonl \
    > /dev/null 2> tmpdir.err
rc=$?
[ "$rc" = 2 ] && [ "$(cat tmpdir.err)" = "$tmp/none: error: cannot create a temporary file for sorting: No such file or directory" ]
check tmpdir-honoured $?
