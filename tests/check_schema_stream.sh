#!/usr/bin/env bash
# validate --schema reads JSON Lines a line at a time: on inputs generated here
# (too large to keep in the tree) memory stays bounded by the longest line,
# errors deep in a file keep their line and column, and a line past 64 MiB is
# refused (exit 2), as the dataset reader refuses it.
cd "$DOSSIER_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
# The checks below read the diagnostics alone: -q leaves out the summary line.

# Memory is measured on the plain build alone; under a wrapper (valgrind) or
# the ASan build a tenth of the size keeps the run short.
measure=1
[ -n "${DOSSIER_WRAP:-}" ] || [[ $DOSSIER == */san/* ]] || [ ! -x /usr/bin/time ] && measure=
mb=40
[ -z "$measure" ] && mb=4
cat > "$tmp/schema.json" << 'EOF'
{"type": "object", "required": ["id", "n"],
 "properties": {"id": {"type": "string", "pattern": "^r[0-9]+$"},
                "n": {"type": "integer", "maximum": 99}}}
EOF
# big.jsonl: small valid lines; bad.jsonl: the same with two bad lines near
# the middle (a schema error on line $at, a syntax error on line $at + 2).
at=$((mb * 10000 + 1))
python3 - "$tmp" "$mb" "$at" << 'EOF'
import sys
tmp, size, at = sys.argv[1], int(sys.argv[2]) * 1000 * 1000, int(sys.argv[3])
with open(tmp + "/big.jsonl", "w") as big, open(tmp + "/bad.jsonl", "w") as bad:
    i = n = 0
    while n < size:
        i += 1
        line = '{"id": "r%d", "n": %d, "tags": ["a", "b"]}\n' % (i, i % 100)
        big.write(line)
        n += len(line)
        if i == at:
            line = '{"id": "r%d", "n": 100}\n' % i
        elif i == at + 2:
            line = '{"id": "r%d", "n": 1,}\n' % i
        bad.write(line)
EOF

name=schema-stream/large-valid-file-bounded-memory
if [ -z "$measure" ]; then
    if run validate --schema "$tmp/schema.json" "$tmp/big.jsonl" 2> "$tmp/err"; then
        echo "ok $name (memory not checked under a wrapper)"
    else
        echo "FAIL $name: exit $?, expected 0"
        head -c 300 "$tmp/err"
    fi
else
    /usr/bin/time -f %M -o "$tmp/rss" "$DOSSIER" validate --schema "$tmp/schema.json" \
        "$tmp/big.jsonl" 2> "$tmp/err"
    rc=$?
    kb=$(tail -n 1 "$tmp/rss")
    if [ "$rc" -eq 0 ] && [ "$kb" -lt $((32 * 1024)) ]; then
        echo "ok $name"
    else
        echo "FAIL $name: exit $rc (expected 0), peak $kb KB (expected under 32 MB)"
        head -c 300 "$tmp/err"
    fi
fi

name=schema-stream/invalid-lines-in-the-middle
# The value 100 starts after '{"id": "r' (9 characters), the digits and '", "n": '.
col=$((9 + ${#at} + 8 + 1))
(cd "$tmp" && run validate -q --schema schema.json bad.jsonl > /dev/null 2> err)
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 2 ] &&
    grep -q "^bad\.jsonl:$at:$col: error: maximum: .*\[at /n\]\$" "$tmp/err" &&
    grep -q "^bad\.jsonl:$((at + 2)):$((col + 2)): error: invalid JSON: " "$tmp/err"; then
    echo "ok $name"
else
    echo "FAIL $name: exit $rc, expected 1 and errors at $at:$col and $((at + 2)):$((col + 2))"
    head -c 600 "$tmp/err"
fi
rm -f "$tmp"/big.jsonl "$tmp"/bad.jsonl

# Line 2 holds a string of 64 MiB: past the limit with its quotes and braces.
name=schema-stream/line-over-64mib-refused
python3 - "$tmp/long.jsonl" << 'EOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"id": "r1", "n": 1}\n{"id": "')
    f.write("x" * (64 << 20))
    f.write('", "n": 1}\n{"id": "r3", "n": 1}\n')
EOF
(cd "$tmp" && run validate -q --schema schema.json long.jsonl > /dev/null 2> err)
rc=$?
if [ $rc -eq 2 ] && [ "$(cat "$tmp/err")" = "long.jsonl:2:1: error: line longer than 64 MiB refused" ]; then
    echo "ok $name"
else
    echo "FAIL $name: exit $rc, expected 2 and one refusal at line 2"
    head -c 600 "$tmp/err"
fi
