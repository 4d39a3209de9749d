#!/usr/bin/env bash
# --from ofac-csv streams: 100,000 generated entries (four files, entries in
# shuffled order, too large to keep in the tree) are joined with the sort
# budget at 2 MB, and peak memory stays below 32 MB: what grows is only the
# index of entity names that alias resolution keeps. Under a wrapper or the
# ASan build, 10,000 entries and no measurement keep the run short.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure=1
[ -n "${DOSSIER_WRAP:-}" ] || [[ $DOSSIER == */san/* ]] || [ ! -x /usr/bin/time ] && measure=
n=100000
[ -z "$measure" ] && n=10000
check() { if [ "$2" = 0 ]; then echo "ok ofac-stream/$1"; else echo "FAIL ofac-stream/$1"; fi; }
python3 - "$tmp" "$n" << 'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
order = list(range(1, n + 1))
random.shuffle(order)
kinds = ['"individual"', "-0- ", '"vessel"', '"aircraft"']
with open(out + "/sdn.csv", "w", newline="") as s, open(out + "/alt.csv", "w", newline="") as a, \
        open(out + "/add.csv", "w", newline="") as d, \
        open(out + "/sdn_comments.csv", "w", newline="") as c:
    for i, e in enumerate(order):
        name = "SURNAME%d, Given Name%d" % (e, e) if e % 4 == 0 else "COMPANY %d LTD." % e
        s.write('%d,"%s",%s,"SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
                '"DOB %d Jan 1960; a.k.a. \'NICK%d\'."\r\n' % (e, name, kinds[e % 4], e % 28 + 1, e))
        a.write('%d,%d,"aka","OTHER NAME %d",-0- \r\n' % (e, i + 1, e))
        d.write('%d,%d,"%d Main Street","Town %d","Country",-0- \r\n' % (e, i + 1, e, e % 100))
        if e % 10 == 0:
            c.write('%d," continued for %d."\r\n' % (e, e))
    s.write("\x1a")
PY
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
if [ -n "$measure" ]; then
    DOSSIER_SORT_MEMORY=2000000 /usr/bin/time -o "$tmp/time" -f %M \
        "$DOSSIER" convert --from ofac-csv --to jsonl "$tmp" > "$tmp/out.jsonl" 2> "$tmp/err"
else
    DOSSIER_SORT_MEMORY=2000000 run convert --from ofac-csv --to jsonl "$tmp" > "$tmp/out.jsonl" 2> "$tmp/err"
fi
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l < "$tmp/out.jsonl")" = "$n" ]
check "$n-entries-joined" $?
grep -qxF '{"aliases":["OTHER NAME 40","SURNAME40, Given Name40"],"id":"ofac-40","kind":"person","name":"Given Name40 SURNAME40","notes":"program: SDGT | program: IFSR | weak aka: NICK40 | address: 40 Main Street, Town 40, Country | remarks: DOB 13 Jan 1960; a.k.a. '"'NICK40'"'. continued for 40.","record":"entity"}' "$tmp/out.jsonl"
check "entry-joined-from-four-files" $?
if [ -n "$measure" ]; then
    kb=$(tail -1 "$tmp/time")
    [ "$kb" -lt 32768 ]
    check "peak-memory-below-32-mb ($kb KB)" $?
fi
