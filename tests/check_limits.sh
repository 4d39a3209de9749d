#!/usr/bin/env bash
# Size limits, on inputs generated here (too large to keep in the tree): what
# dossier writes it reads back, and past a limit an input is refused with the
# limit named (exit 2), never a crash or libxml2's "internal error".
cd "$DOSSIER_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; } # CHAR BYTES
# refused NAME FILE MESSAGE: validating FILE exits 2 with MESSAGE.
refused() {
    run validate "$2" > /dev/null 2> "$tmp/err"
    local rc=$?
    if [ "$rc" = 2 ] && grep -q "error: $3" "$tmp/err"; then
        echo "ok limits/$1"
    else
        echo "FAIL limits/$1: exit $rc"
        head -c 300 "$tmp/err"
    fi
    rm -f "$2"
}
mib=$((1 << 20))

# 2026-11-29 (issue 12): a 17 MiB field text converted to XML crashed the XML
# reader (use after free once the XSD validator read text the parser had
# freed), and a 10 MiB attribute was an "internal error: Huge input lookup".
# Both are read back now, whatever format they were written in.
{
    printf '{"designations":[],"entities":[{"id":"e1","kind":"person","name":"A","notes":"'
    repeat x $((17 * mib))
    printf '"}],"events":[{"date":"2001","id":"v1","kind":"meeting","participants":'
    printf '[{"entity":"e1","role":"'
    repeat a $((10 * mib))
    printf '"}],"summary":"S"}],"sources":[]}\n'
} > "$tmp/big.json"
if run convert --to xml -o "$tmp/big.xml" "$tmp/big.json" 2> "$tmp/err" &&
    run convert --to json -o "$tmp/back.json" "$tmp/big.xml" 2>> "$tmp/err" &&
    cmp -s "$tmp/big.json" "$tmp/back.json"; then
    echo "ok limits/17mib-text-10mib-attribute-round-trip"
else
    echo "FAIL limits/17mib-text-10mib-attribute-round-trip: JSON -> XML -> JSON lost the dataset"
    head -c 300 "$tmp/err"
fi
rm -f "$tmp"/big.*

# Past 64 MiB (a JSON record's and a CSV row's limit too) markup is refused.
{
    printf '<dataset><designations/><entities><entity id="'
    repeat a $((65 * mib))
    printf '"><kind>person</kind><name>A</name></entity></entities><events/><sources/></dataset>\n'
} > "$tmp/attr.xml"
refused xml-markup-over-64mib-refused "$tmp/attr.xml" "markup longer than 64 MiB refused"

# A field's text past 64 MiB is refused too. Under a sanitizer or a wrapper the
# XSD validator's own copying of the text takes minutes: skipped there.
if [ -z "${DOSSIER_WRAP:-}" ] && ! grep -qa __asan_init "$DOSSIER"; then
    {
        printf '<dataset><designations/><entities><entity id="e1"><kind>person</kind><name>A</name><notes>'
        repeat x $((65 * mib))
        printf '</notes></entity></entities><events/><sources/></dataset>\n'
    } > "$tmp/text.xml"
    refused xml-text-over-64mib-refused "$tmp/text.xml" "text longer than 64 MiB refused"
fi
