#!/usr/bin/env bash
# Conversion and validation throughput and peak memory, side by side with the
# tools users would otherwise pick, on the same generated data:
#   JSON      dossier convert --to json    vs jq (keys sorted, records sorted by id)
#   JSON Lines dossier convert --to jsonl  vs jq -cS | sort
#   CSV       dossier validate entities.csv vs Miller and csvkit sorting by id
#   XML       dossier validate             vs xmllint --schema
# BENCH_RECORDS sets the size (default 200000 records, about 45 MB of JSON Lines).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
dossier=$root/build/dossier
n=${BENCH_RECORDS:-200000}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

python3 "$root/bench/gen.py" "$n" > "$tmp/data.jsonl"
"$dossier" convert --to json "$tmp/data.jsonl" > "$tmp/data.json" || exit 1
"$dossier" convert --to xml "$tmp/data.jsonl" > "$tmp/data.xml" 2>/dev/null || rm -f "$tmp/data.xml"
"$dossier" convert --to csv -o "$tmp/csv" "$tmp/data.jsonl" 2>/dev/null || rm -rf "$tmp/csv"
printf 'records: %d, JSON Lines: %d MB\n\n' "$n" $(( $(wc -c < "$tmp/data.jsonl") / 1000000 ))
printf '%-44s %9s %10s %8s\n' "command" "seconds" "peak MB" "ratio"

# measure NAME BASELINE-SECONDS CMD...: prints seconds, peak memory and the ratio to the baseline.
measure() {
    local name=$1 base=$2; shift 2
    /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" > /dev/null 2> "$tmp/err" || { printf '%-44s failed: %s\n' "$name" "$(head -c 200 "$tmp/err")"; return; }
    read -r secs kb < "$tmp/time"
    last=$secs
    printf '%-44s %9s %10d %8s\n' "$name" "$secs" $((kb / 1024)) \
        "$(if [ "$base" = - ]; then echo 1.00; else python3 -c "print('%.2f' % ($secs / max($base, 0.01)))"; fi)"
}

measure "dossier convert --to json (JSON)" - "$dossier" convert --to json "$tmp/data.json"; d=$last
have() { command -v "$1" > /dev/null; }
have jq && measure "jq -cS (records sorted by id)" "$d" jq -cS '.[] |= sort_by(.id)' "$tmp/data.json"
measure "dossier convert --to jsonl (JSON Lines)" - "$dossier" convert --to jsonl "$tmp/data.jsonl"; d=$last
have jq && measure "jq -cS . | sort" "$d" sh -c "jq -cS . '$tmp/data.jsonl' | LC_ALL=C sort"
measure "dossier validate (JSON Lines)" - "$dossier" validate "$tmp/data.jsonl"
if [ -d "$tmp/csv" ]; then
    measure "dossier validate entities.csv" - "$dossier" validate "$tmp/csv/entities.csv"; d=$last
    have mlr && measure "mlr --icsv --ojson sort -f id" "$d" mlr --icsv --ojson sort -f id "$tmp/csv/entities.csv"
    have csvsort && measure "csvsort -c id" "$d" csvsort -c id "$tmp/csv/entities.csv"
fi
if [ -f "$tmp/data.xml" ]; then
    measure "dossier validate (XML)" - "$dossier" validate "$tmp/data.xml"; d=$last
    have xmllint && measure "xmllint --noout --schema" "$d" xmllint --noout --schema "$root/schemas/dossier.xsd" "$tmp/data.xml"
fi
echo
echo "ratio: the other tool's seconds over dossier's (above 1: dossier is faster)"
