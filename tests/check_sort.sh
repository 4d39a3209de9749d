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

# References are joined to ids through sorters of their own, and entity names
# wait in a file until a reference needs them: with a 4 KiB budget both spill,
# and every reference must still be answered as in memory. Events name
# entities by id, by name and by alias, before and after them, and refer to
# ids and sources no record has; some ids are given twice. With one thread or
# two (which finish in parallel, and visit the records a second time only for
# the references no id answers), in memory or spilled, the report is the same.
python3 - <<'PY'
import json, random
random.seed(11)
recs = [{"record": "entity", "id": "p-%04d" % i, "kind": "person",
         "name": "Person Number%d" % i, "aliases": ["Alias%d" % i]} for i in range(1500)]
recs += [{"record": "source", "id": "s-%03d" % i, "title": "Report %d" % i} for i in range(200)]
for i in range(2500):
    k = i % 5
    who = ["p-%04d" % (i % 1500), "Person Number%d" % (i % 1500), "Alias%d" % (i % 1500),
           "p-9%03d" % i, "Nobody Known%d" % i][k]
    recs.append({"record": "event", "id": "v-%04d" % i, "date": "2001", "kind": "meeting",
                 "summary": "s", "participants": [{"entity": who, "role": "subject"}],
                 "sources": ["s-%03d" % (i % 200) if i % 7 else "s-9%03d" % i]})
recs += [dict(r, summary="again") if r["record"] == "event" else dict(r)
         for r in recs[1200:1700:10]]
random.shuffle(recs)
with open("refs.jsonl", "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
# The same without the references no record answers or the ids given twice:
# names become ids.
seen = set()
with open("refs-valid.jsonl", "w") as f:
    for r in recs:
        if (r["record"], r["id"]) in seen:
            continue
        seen.add((r["record"], r["id"]))
        if "9" not in json.dumps(r.get("participants", "")) + str(r.get("sources", "")) and \
                "Nobody" not in json.dumps(r):
            f.write(json.dumps(r) + "\n")
PY
"$DOSSIER" validate -j 1 --report json refs.jsonl > refs-memory.out 2>&1
"$DOSSIER" validate -j 2 --report json refs.jsonl > refs-memory-2.out 2>&1
DOSSIER_SORT_MEMORY=4096 "$DOSSIER" validate -j 1 --report json refs.jsonl > refs-spilled.out 2>&1
DOSSIER_SORT_MEMORY=4096 "$DOSSIER" validate -j 2 --report json refs.jsonl > refs-spilled-2.out 2>&1
cmp -s refs-memory.out refs-spilled.out && cmp -s refs-memory.out refs-memory-2.out &&
    cmp -s refs-memory.out refs-spilled-2.out &&
    grep -q 'unknown entity \\"Nobody Known' refs-memory.out &&
    grep -q 'unknown source' refs-memory.out && ! grep -q 'Person Number' refs-memory.out &&
    [ "$(grep -o 'duplicate [a-z]* id' refs-memory.out | wc -l)" -ge 40 ]
check references-joined-across-runs $?
"$DOSSIER" convert --to jsonl refs-valid.jsonl > names-memory.out 2>&1
DOSSIER_SORT_MEMORY=4096 "$DOSSIER" convert --to jsonl refs-valid.jsonl > names-spilled.out 2>&1
cmp -s names-memory.out names-spilled.out && [ "$(grep -c '"record":"event"' names-memory.out)" -gt 1000 ] &&
    ! grep '"record":"event"' names-memory.out | grep -q 'Person Number\|Alias'
check names-read-back-after-spilling $?
