#!/usr/bin/env bash
# OFAC's legacy SDN CSV files (--from ofac-csv): fixtures/ofac/csv (public
# samples) must convert to the golden canonical output in every format, with
# the golden warnings; the files are told by content, not name or order; the
# golden outputs convert to each other and to themselves.
ofac=$DOSSIER_ROOT/fixtures/ofac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$ofac" || exit 1

# convert TO OUT ARGS...: canonical output in format TO into OUT (a folder for CSV)
convert() {
    local to=$1 out=$2; shift 2
    if [ "$to" = csv ]; then "$DOSSIER" convert --to csv -o "$out" "$@"; else "$DOSSIER" convert --to "$to" "$@" > "$out"; fi
}
golden() { if [ "$1" = csv ]; then echo expected/csv; else echo "expected/ofac.$1"; fi; }
same() { if [ -d "$1" ]; then diff -r "$1" "$2" > /dev/null; else cmp -s "$1" "$2"; fi; }
check() { if [ "$2" = 0 ]; then echo "ok ofac/$1"; else echo "FAIL ofac/$1"; [ -f "$tmp/err" ] && head -5 "$tmp/err"; fi; }

for to in json jsonl xml csv; do
    rc=0
    convert "$to" "$tmp/out-$to" --from ofac-csv csv 2> "$tmp/err" || rc=1
    same "$(golden "$to")" "$tmp/out-$to" || rc=1
    cmp -s expected/ofac.err "$tmp/err" || rc=1
    check "folder-to-$to-golden" $rc
done

# Files as separate arguments in another order, under other names, with LF
# line ends and OFAC's trailing 0x1A byte: the same entities.
mkdir "$tmp/renamed"
i=0
for f in sdn_comments add alt sdn; do
    i=$((i + 1))
    sed 's/\r$//' "csv/$f.csv" > "$tmp/renamed/part$i.txt"
    printf '\032' >> "$tmp/renamed/part$i.txt"
done
rc=0
(cd "$tmp/renamed" && "$DOSSIER" convert --from ofac-csv --to json part1.txt part2.txt part3.txt part4.txt) > "$tmp/renamed.json" 2> "$tmp/err" || rc=1
same expected/ofac.json "$tmp/renamed.json" || rc=1
check "told-by-content-any-order-lf-and-eof-byte" $rc

rc=0
"$DOSSIER" validate --from ofac-csv csv/sdn.csv csv/alt.csv csv/add.csv csv/sdn_comments.csv 2> "$tmp/err" || rc=1
cmp -s expected/ofac.err "$tmp/err" || rc=1
check "validate-files-as-one-list" $rc

# The golden outputs read back (without --from) to the same bytes in every format.
for to in json jsonl xml csv; do
    rc=0
    for from in expected/ofac.json expected/ofac.jsonl expected/ofac.xml expected/csv; do
        convert "$to" "$tmp/again" "$from" 2> "$tmp/err" || rc=1
        same "$(golden "$to")" "$tmp/again" || rc=1
        rm -rf "$tmp/again"
    done
    check "golden-$to-from-every-golden" $rc
done
