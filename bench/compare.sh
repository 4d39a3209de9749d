#!/usr/bin/env bash
# dossier side by side with the tools users would otherwise pick for the same
# job, each run the fastest way a user would run it, on the same generated
# data (names and sentences in several scripts): every pair alternated
# BENCH_RUNS times (default 7; the -j 2 / -j 1 pairs, a second or two each,
# BENCH_JOBS_RUNS times, default 15: two threads on a shared machine vary
# more than one), medians with min-max, peak memory, and the
# ratio dossier / other (below 1: dossier is faster). Prints the table and
# writes it to bench/results.md. BENCH_RECORDS sets the size (default 200000).
# The peers come from `make deps`: xmllint, jq, Miller from Debian, ajv 8 from
# npm into build/npm (pinned by bench/peers/package-lock.json). OFAC's
# formats, which no other tool reads, are timed alone.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
dossier=$root/build/dossier
n=${BENCH_RECORDS:-200000}
runs=${BENCH_RUNS:-7}
jobs_runs=${BENCH_JOBS_RUNS:-15}
export LC_NUMERIC=C # EPOCHREALTIME's decimal point
export NODE_PATH=$root/build/npm/node_modules
ajv="node $root/bench/peers/ajv-validate.mjs"
results=$root/bench/results.md
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -x /usr/bin/time ] || { echo "bench/compare.sh: needs GNU time (make deps)" >&2; exit 1; }

python3 "$root/bench/gen.py" "$n" > "$tmp/data.jsonl"
"$dossier" convert -q --to json -o "$tmp/data.json" "$tmp/data.jsonl" || exit 1
"$dossier" convert -q --to xml -o "$tmp/data.xml" "$tmp/data.jsonl" || exit 1
"$dossier" convert -q --to csv -o "$tmp/csv" "$tmp/data.jsonl" || exit 1
# The same as a folder of 200 XML files, for one file a thread.
python3 "$root/bench/split_xml.py" "$tmp/data.xml" "$tmp/xml-files" 200
# One JSON Lines line as a JSON Schema sees it.
python3 "$root/bench/line_schema.py" "$root/schemas/dossier.schema.json" > "$tmp/line.schema.json"

# measure CMD: prints "seconds peak-KiB" of one run, or fails. The seconds are
# the shell's clock to the microsecond: GNU time's %e has hundredths, 3 % of
# the shortest runs here.
measure() {
    local start=$EPOCHREALTIME end
    if ! /usr/bin/time -f '%M' -o "$tmp/time" bash -c "$1" > /dev/null 2> "$tmp/err"; then
        echo "failed: $1: $(head -c 300 "$tmp/err")" >&2
        return 1
    fi
    end=$EPOCHREALTIME
    awk -v s="$start" -v e="$end" -v m="$(tail -n 1 "$tmp/time")" \
        'BEGIN { printf "%.6f %s\n", e - s, m }'
}

# summary FILE: "median min max" of the first column, "median" of the second,
# then the median again unrounded, for the ratio.
summary() {
    python3 - "$1" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
t = [r[0] for r in rows]; m = [r[1] for r in rows]
print("%.2f %.2f %.2f %.0f %.6f" % (statistics.median(t), min(t), max(t),
                                    statistics.median(m) / 1024, statistics.median(t)))
PY
}

rows=()
# pair TASK PEER-NAME DOSSIER-CMD PEER-CMD: runs them alternately, keeps a table row.
pair() {
    local task=$1 peer=$2 d=$3 p=$4 i
    : > "$tmp/d.runs"; : > "$tmp/p.runs"
    for ((i = 0; i < runs; i++)); do
        measure "$d" >> "$tmp/d.runs" || return
        [ -z "$p" ] || measure "$p" >> "$tmp/p.runs" || return
    done
    read -r dm dmin dmax dmem dexact < <(summary "$tmp/d.runs")
    if [ -z "$p" ]; then
        rows+=("| $task | $dm ($dmin–$dmax) | $dmem | — | | | |")
    else
        read -r pm pmin pmax pmem pexact < <(summary "$tmp/p.runs")
        ratio=$(python3 -c "print('%.2f' % ($dexact / max($pexact, 0.001)))")
        rows+=("| $task | $dm ($dmin–$dmax) | $dmem | $peer | $pm ($pmin–$pmax) | $pmem | **$ratio** |")
    fi
    printf '%s\n' "${rows[-1]}"
}

have_ajv=1
[ -d "$NODE_PATH/ajv" ] || { have_ajv=0; echo "ajv is not installed (make deps): its rows are left out" >&2; }
cd "$tmp" || exit 1
echo "| task | dossier s, median (min–max) | dossier peak MiB | other tool | other s, median (min–max) | other peak MiB | ratio |"
echo "|---|---|---|---|---|---|---|"
pair "validate XML" "xmllint --noout --stream --schema" \
    "$dossier validate -q data.xml" \
    "xmllint --noout --stream --schema $root/schemas/dossier.xsd data.xml"
pair "validate a folder of 200 XML files" "xmllint --noout --stream --schema" \
    "$dossier validate -q xml-files" \
    "xmllint --noout --stream --schema $root/schemas/dossier.xsd xml-files/*.xml"
[ $have_ajv = 0 ] || pair "validate JSON Lines" "ajv (Ajv2020, a validator per kind)" \
    "$dossier validate -q data.jsonl" "$ajv records $root/schemas/dossier.schema.json data.jsonl"
pair "validate entities.csv" "mlr --icsv --ojson cat" \
    "$dossier validate -q csv/entities.csv" "mlr --icsv --ojson cat csv/entities.csv"
for to in jsonl json xml csv; do
    out=""; [ $to = csv ] && out="-o out-csv"
    pair "convert JSON Lines to canonical $to" "jq -cS . \\| LC_ALL=C sort" \
        "rm -rf out-csv; $dossier convert -q --to $to $out data.jsonl" \
        "jq -cS . data.jsonl | LC_ALL=C sort"
done
pair "convert a JSON document to canonical JSON" "jq -cS (records sorted by id)" \
    "$dossier convert -q --to json data.json" "jq -cS '.[] |= sort_by(.id)' data.json"
[ $have_ajv = 0 ] || pair "validate --schema, JSON Lines" "ajv (one compiled schema)" \
    "$dossier validate -q --schema line.schema.json data.jsonl" \
    "$ajv lines line.schema.json data.jsonl"
[ $have_ajv = 0 ] || pair "validate --schema, one JSON document" "ajv (JSON.parse, one schema)" \
    "$dossier validate -q --schema $root/schemas/dossier.schema.json data.json" \
    "$ajv document $root/schemas/dossier.schema.json data.json"

# OFAC's formats: no other tool reads them; entities a second is the figure.
python3 "$root/bench/gen_ofac.py" csv "$tmp" 100000
python3 "$root/bench/gen_ofac.py" xml sdn_advanced.xml 100000 "$root/fixtures/ofac/xml/sdn_advanced.xml"
mkdir ofac-csv && mv sdn.csv alt.csv add.csv sdn_comments.csv ofac-csv/
pair "convert --from ofac-csv, 100,000 entries (4 files)" "" \
    "$dossier convert -q --from ofac-csv --to jsonl ofac-csv" ""
pair "convert --from ofac-xml, 100,000 parties and entries" "" \
    "$dossier convert -q --from ofac-xml --to jsonl sdn_advanced.xml" ""

# Both cores: dossier with two threads beside dossier with one (ratio below 1:
# two threads are faster; 0.5 would be twice as fast), and in the same rounds
# two runs with one thread at once: what the machine gives two cores, which no
# -j 2 can do much better than. On a host whose second core is shared (a
# virtual machine's, here), that is above 0.5 and moves from run to run.
jobs_rows=()
# jobs_pair TASK COMMAND ARGS: dossier COMMAND -j 2 ARGS, -j 1, and two -j 1
# at once, alternated.
jobs_pair() {
    local task=$1 command=$2 args=$3 i
    local one="$dossier $command -j 1 $args"
    : > "$tmp/d.runs"; : > "$tmp/p.runs"; : > "$tmp/c.runs"
    for ((i = 0; i < jobs_runs; i++)); do
        measure "$dossier $command -j 2 $args" >> "$tmp/d.runs" || return
        measure "$one" >> "$tmp/p.runs" || return
        measure "$one & first=\$!; $one; second=\$?; wait \$first && exit \$second" \
            >> "$tmp/c.runs" || return
    done
    read -r dm dmin dmax dmem dexact < <(summary "$tmp/d.runs")
    read -r pm pmin pmax pmem pexact < <(summary "$tmp/p.runs")
    read -r _ _ _ _ cexact < <(summary "$tmp/c.runs") # its median only
    read -r ratio machine < <(python3 -c \
        "print('%.2f %.2f' % ($dexact / $pexact, $cexact / (2 * $pexact)))")
    jobs_rows+=("| $task | $dm ($dmin–$dmax) | $dmem | $pm ($pmin–$pmax) | $pmem | **$ratio** | $machine |")
    printf '%s\n' "${jobs_rows[-1]}"
}
jobs_header="| task | -j 2 s, median (min–max) | -j 2 peak MiB | -j 1 s, median (min–max) | -j 1 peak MiB | ratio | the machine's ratio: two -j 1 at once |
|---|---|---|---|---|---|---|"
echo
echo "$jobs_header"
jobs_pair "validate JSON Lines" "validate -q" data.jsonl
jobs_pair "validate a JSON document" "validate -q" data.json
jobs_pair "convert JSON Lines to canonical jsonl" "convert -q" "--to jsonl data.jsonl"
jobs_pair "validate entities.csv" "validate -q" csv/entities.csv
jobs_pair "validate a folder of 200 XML files" "validate -q" xml-files
jobs_pair "validate XML, one file" "validate -q" data.xml
jobs_pair "validate --schema, JSON Lines" "validate -q" "--schema line.schema.json data.jsonl"
jobs_pair "validate --schema, one JSON document" "validate -q" \
    "--schema $root/schemas/dossier.schema.json data.json"
echo

{
    echo "# make bench: dossier beside the tools users would otherwise pick"
    echo
    echo "$(date -u +%Y-%m-%d), $(nproc) cores, $n generated records" \
        "($(($(wc -c < data.jsonl) / 1000000)) MB of JSON Lines, $(($(wc -c < data.xml) / 1000000)) MB of XML)," \
        "each pair alternated $runs times ($jobs_runs for -j 2 beside -j 1). dossier runs with its default -j (one" \
        "thread a core) unless a row says otherwise. Ratio: dossier's median time over the" \
        "other tool's (below 1: dossier is faster). Written by bench/compare.sh."
    echo
    echo "| task | dossier s, median (min–max) | dossier peak MiB | other tool | other s, median (min–max) | other peak MiB | ratio |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Both cores: -j 2 beside -j 1 (ratio below 0.5 is more than twice as fast), and" \
        "the machine's own ratio in the same rounds: two -j 1 runs at once over twice one."
    echo
    echo "$jobs_header"
    printf '%s\n' "${jobs_rows[@]}"
} > "$results"
echo "written to bench/results.md"
