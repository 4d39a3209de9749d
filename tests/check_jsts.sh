#!/usr/bin/env bash
# The official JSON Schema Test Suite, through the library (build/tests/
# unit_jsts: every required file of drafts 2020-12, 2019-09, 7 and 4, then the
# optional files with known failures listed in tests/jsts-known-failures.txt)
# and through the command line ($DOSSIER validate on every test of a sample
# of files, exit 0 for valid, 1 for invalid; JSTS_CLI_FILES="a.json b.json" picks
# others, JSTS_CLI_FILES=all runs every required file). Skips when the suite is absent.
set -u
root=${DOSSIER_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
suite=${SUITES:-$root/../shared/suites}/json-schema-test-suite
runner=${JSTS_RUNNER:-$root/build/tests/unit_jsts}
if [ ! -d "$suite/tests" ]; then
    echo "skipped: JSON Schema Test Suite not found at $suite"
    exit 0
fi
if [ ! -x "$runner" ]; then
    echo "FAIL jsts: $runner not built"
    exit 0
fi
"$runner" "$suite"
"$runner" "$suite" --optional --known "$root/tests/jsts-known-failures.txt" |
    grep -v '^  known: '

# The CLI: each test's data in its own file, the group's schema in another.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cli_file() { # DRAFT_DIR DRAFT FILE
    local dir=$1 draft=$2 file=$3 label=$1/$(basename "$3") bad=0 total=0 g t want got
    rm -f "$tmp"/*.json
    "$runner" --emit "$tmp" "$file" > "$tmp/plan" || { echo "FAIL cli $label: cannot read"; return; }
    while read -r g t want; do
        ${DOSSIER_WRAP:-} "$DOSSIER" validate --draft "$draft" \
            --ref-root "http://localhost:1234/=$suite/remotes" \
            --schema "$tmp/$g.schema.json" "$tmp/$g-$t.json" > /dev/null 2> "$tmp/err"
        got=$?
        total=$((total + 1))
        if [ "$got" != "$want" ]; then
            bad=$((bad + 1))
            echo "  group $g test $t: exit $got, expected $want: $(head -c 300 "$tmp/err")"
        fi
    done < "$tmp/plan"
    if [ "$bad" = 0 ]; then echo "ok cli $label $total/$total"
    else echo "FAIL cli $label $((total - bad))/$total"; fi
}
for spec in draft2020-12:2020-12 draft2019-09:2019-09 draft7:7 draft4:4; do
    dir=${spec%%:*} draft=${spec#*:}
    files=${JSTS_CLI_FILES:-refRemote.json}
    [ "$files" = all ] && files=$(cd "$suite/tests/$dir" && ls ./*.json | sed 's|^\./||')
    for name in $files; do
        [ -f "$suite/tests/$dir/$name" ] && cli_file "$dir" "$draft" "$suite/tests/$dir/$name"
    done
done
