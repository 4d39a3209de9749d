#!/usr/bin/env bash
# Runs every test: the golden command cases under tests/cases, the fixture
# checks (tests/check_*.sh), and the unit-test binaries. Prints a diff for each
# failure and ends with "N passed, N failed"; exits 1 if anything failed.
#
#   tests/run.sh [DOSSIER]     DOSSIER defaults to build/dossier
#   DOSSIER_WRAP="valgrind ..." runs every dossier command under a wrapper.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "$(dirname "${1:-build/dossier}")" && pwd)/$(basename "${1:-build/dossier}")
export DOSSIER="$bin" DOSSIER_ROOT="$root" SUITES="$root/../shared/suites"
passed=0 failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -40; }

# A case: tests/cases/<command>/<case>/ with `args` (one argument a line),
# optional `stdin`, and expected.out, expected.err, expected.rc. It runs in
# its own folder, so diagnostics name its files as a user would see them.
run_case() {
    local dir=$1 cmd name args=() rc
    cmd=$(basename "$(dirname "$dir")")
    name=${dir#"$root"/tests/cases/}
    if [ -f "$dir/args" ]; then mapfile -t args < "$dir/args"; fi
    local input=/dev/null
    [ -f "$dir/stdin" ] && input="$dir/stdin"
    (cd "$dir" && ${DOSSIER_WRAP:-} "$bin" "$cmd" "${args[@]}" < "$input" > "$tmp/out" 2> "$tmp/err"; echo $? > "$tmp/rc")
    local expected_err=/dev/null
    [ -f "$dir/expected.err" ] && expected_err="$dir/expected.err"
    if ! d=$(diff -u "$dir/expected.out" "$tmp/out" 2>&1); then fail "$name (stdout)" "$d"; return; fi
    if [ -z "${DOSSIER_WRAP:-}" ] && ! d=$(diff -u "$expected_err" "$tmp/err" 2>&1); then fail "$name (stderr)" "$d"; return; fi
    if [ "$(cat "$tmp/rc")" != "$(cat "$dir/expected.rc")" ]; then
        fail "$name (exit $(cat "$tmp/rc"), expected $(cat "$dir/expected.rc"))" "$(cat "$tmp/err")"; return
    fi
    pass
}

for dir in "$root"/tests/cases/*/*/; do
    [ -f "$dir/expected.rc" ] && run_case "${dir%/}"
done

# Check scripts and unit tests print "ok NAME" or "FAIL NAME" lines, then details.
tally() {
    while IFS= read -r line; do
        case $line in
            "ok "*) pass ;;
            "FAIL "*) failed=$((failed + 1)); printf '%s\n' "$line" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done
}
for script in "$root"/tests/check_*.sh; do
    [ -f "$script" ] && tally < <(bash "$script" 2>&1)
done
for unit in "$root"/build/tests/unit_*; do
    [ -x "$unit" ] || continue
    tally < <(cd "$root" && ${DOSSIER_WRAP:-} "$unit" 2>&1 || echo "FAIL $(basename "$unit") exited with status $?")
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
