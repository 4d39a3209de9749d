#!/usr/bin/env bash
# --from ofac-csv and --from ofac-xml stream. 100,000 generated CSV entries
# (four files, entries in shuffled order, too large to keep in the tree) are
# joined, and 30,000 generated XML parties with an entry each are read, with
# the sort budget at 2 MB: peak memory stays below 32 MB, as what grows is
# only the index of entity names that alias resolution keeps. Under a
# wrapper or the ASan build, a tenth of the size and no measurement keep the
# run short.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure=1
[ -n "${DOSSIER_WRAP:-}" ] || [[ $DOSSIER == */san/* ]] || [ ! -x /usr/bin/time ] && measure=
n=100000
[ -z "$measure" ] && n=10000
check() { if [ "$2" = 0 ]; then echo "ok ofac-stream/$1"; else echo "FAIL ofac-stream/$1"; fi; }
python3 "$DOSSIER_ROOT/bench/gen_ofac.py" csv "$tmp" "$n"
# convert_list DIALECT INPUT: to $tmp/out.jsonl with a 2 MB sort budget, its
# peak memory into $tmp/time when measured.
convert_list() {
    if [ -n "$measure" ]; then
        DOSSIER_SORT_MEMORY=2000000 /usr/bin/time -o "$tmp/time" -f %M \
            "$DOSSIER" convert --from "$1" --to jsonl "$2" > "$tmp/out.jsonl" 2> "$tmp/err"
    else
        DOSSIER_SORT_MEMORY=2000000 ${DOSSIER_WRAP:-} "$DOSSIER" convert --from "$1" --to jsonl \
            "$2" > "$tmp/out.jsonl" 2> "$tmp/err"
    fi
}
convert_list ofac-csv "$tmp"
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

# --from ofac-xml: 30,000 generated parties with an entry each, in a Sanctions
# document around the fixture's reference values (3,000 under a wrapper).
x=30000
[ -z "$measure" ] && x=3000
python3 "$DOSSIER_ROOT/bench/gen_ofac.py" xml "$tmp/big.xml" "$x" "$DOSSIER_ROOT/fixtures/ofac/xml/sdn_advanced.xml"
convert_list ofac-xml "$tmp/big.xml"
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l < "$tmp/out.jsonl")" = $((2 * x)) ] &&
    grep -qxF '{"aliases":["OTHER 40","SURNAME40, Given40"],"id":"ofac-40","kind":"person","name":"Given40 SURNAME40","record":"entity"}' "$tmp/out.jsonl"
check "xml-$x-parties-and-entries" $?
if [ -n "$measure" ]; then
    kb=$(tail -1 "$tmp/time")
    [ "$kb" -lt 32768 ]
    check "xml-peak-memory-below-32-mb ($kb KB)" $?
fi
