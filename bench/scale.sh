#!/usr/bin/env bash
# How time and memory grow with the input: the same generated dataset (as
# bench/compare.sh makes it) at about 100 MB and 1 GB of JSON Lines, and as
# XML, each task run once at each size, printing seconds, MB/s and peak
# memory. Time should grow with the size and memory stay within the sort
# budget plus the index. Prints the table and writes it to bench/scale.md.
# BENCH_SCALE_RECORDS sets the sizes (default "265000 2650000").
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
dossier=$root/build/dossier
sizes=${BENCH_SCALE_RECORDS:-265000 2650000}
results=$root/bench/scale.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "bench/scale.sh: needs GNU time (make deps)" >&2; exit 1; }
cd "$tmp" || exit 1

# One JSON Lines line as a JSON Schema sees it.
python3 "$root/bench/line_schema.py" "$root/schemas/dossier.schema.json" > line.schema.json

rows=()
# row TASK FILE CMD: runs CMD once on FILE, keeps "| task | records | MB | s | MB/s | MiB |".
row() {
    local task=$1 file=$2 cmd=$3 records=$4
    if ! /usr/bin/time -f '%e %M' -o time bash -c "$cmd" > /dev/null 2> err; then
        echo "failed: $cmd: $(head -c 300 err)" >&2
        return 1
    fi
    read -r secs kib < time
    local mb=$(($(wc -c < "$file") / 1000000))
    rows+=("| $task | $records | $mb | $secs | $(python3 -c "print('%.0f' % ($mb / max($secs, 0.01)))") | $((kib / 1024)) |")
    printf '%s\n' "${rows[-1]}"
}

echo "| task | records | input MB | seconds | MB/s | peak MiB |"
echo "|---|---|---|---|---|---|"
for n in $sizes; do
    python3 "$root/bench/gen.py" "$n" > data.jsonl
    "$dossier" convert -q --to xml -o data.xml data.jsonl || exit 1
    row "validate JSON Lines" data.jsonl "$dossier validate -q data.jsonl" "$n"
    row "validate XML" data.xml "$dossier validate -q data.xml" "$n"
    row "convert JSON Lines to canonical jsonl" data.jsonl \
        "$dossier convert -q --to jsonl -o out.jsonl data.jsonl" "$n"
    row "validate --schema, JSON Lines" data.jsonl \
        "$dossier validate -q --schema line.schema.json data.jsonl" "$n"
    rm -f data.jsonl data.xml out.jsonl
done

{
    echo "# make bench: dossier at two sizes"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, the data of bench/compare.sh at two sizes," \
        "each task run once with the default -j. Written by bench/scale.sh."
    echo
    echo "| task | records | input MB | seconds | MB/s | peak MiB |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} > "$results"
echo "written to bench/scale.md"
