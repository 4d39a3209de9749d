#!/usr/bin/env bash
# Every file in fixtures/invalid/ breaks one rule: `dossier validate -q FILE`,
# run inside that folder, must exit 1 and print exactly FILE.err on stderr
# (-q: the diagnostics alone, without the summary line).
[ -d "$DOSSIER_ROOT/fixtures/invalid" ] || exit 0
cd "$DOSSIER_ROOT/fixtures/invalid" || exit 1
for f in *.xml *.json *.jsonl *.ndjson *.csv; do
    [ -f "$f" ] || continue
    if [ ! -f "$f.err" ]; then echo "FAIL invalid/$f: no $f.err golden file"; continue; fi
    err=$(${DOSSIER_WRAP:-} "$DOSSIER" validate -q "$f" 2>&1 >/dev/null); rc=$?
    if [ "$rc" != 1 ]; then echo "FAIL invalid/$f: exit $rc, expected 1"; printf '%s\n' "$err"; continue; fi
    if [ -n "${DOSSIER_WRAP:-}" ] || d=$(diff -u "$f.err" <(printf '%s\n' "$err")); then
        echo "ok invalid/$f"
    else
        echo "FAIL invalid/$f"; printf '%s\n' "$d"
    fi
done
