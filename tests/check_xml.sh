#!/usr/bin/env bash
# XML checks beyond the golden cases: canonical output is its own C14N form
# (`xmllint --c14n` changes no byte) and converting it again changes nothing;
# schemas/dossier.xsd agrees with the model in convert/record.c; hostile
# inputs are refused or rejected, never crash.
cd "$DOSSIER_ROOT" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }

# Canonical XML from every sample dataset: C14N-stable and idempotent.
for src in tests/cases/convert/xml-from-json/input.json tests/cases/convert/xml-to-canonical-xml/input.xml \
           fixtures/article/article.json fixtures/article/article.xml; do
    [ -f "$src" ] || continue
    name=xml-c14n/${src#*/}
    if ! run convert --to xml "$src" > "$tmp/a.xml" 2> "$tmp/err"; then
        echo "FAIL $name: convert failed"; cat "$tmp/err"; continue
    fi
    if ! xmllint --c14n "$tmp/a.xml" > "$tmp/c14n.xml" 2> "$tmp/err" || ! cmp -s "$tmp/a.xml" "$tmp/c14n.xml"; then
        echo "FAIL $name: output is not in C14N form"; diff <(cat "$tmp/a.xml"; echo) <(cat "$tmp/c14n.xml"; echo) | head -20
    else
        echo "ok $name"
    fi
    if run convert --to xml "$tmp/a.xml" > "$tmp/b.xml" 2> "$tmp/err" && cmp -s "$tmp/a.xml" "$tmp/b.xml"; then
        echo "ok xml-idempotent/${src#*/}"
    else
        echo "FAIL xml-idempotent/${src#*/}: converting canonical XML again changed it"; cat "$tmp/err"
    fi
    if xmllint --noout --schema schemas/dossier.xsd "$tmp/a.xml" 2> "$tmp/err"; then
        echo "ok xml-xsd-valid/${src#*/}"
    else
        echo "FAIL xml-xsd-valid/${src#*/}: xmllint rejects canonical output"; head -5 "$tmp/err"
    fi
done

# The same dataset through XML and JSON gives the same canonical JSON.
src=tests/cases/convert/xml-to-canonical-xml/input.xml
run convert --to json "$src" > "$tmp/direct.json" 2>/dev/null
run convert --to xml "$src" > "$tmp/c.xml" 2>/dev/null
run convert --to json "$tmp/c.xml" > "$tmp/via.json" 2>/dev/null
run convert --to xml "$tmp/direct.json" > "$tmp/back.xml" 2>/dev/null
if [ -s "$tmp/direct.json" ] && cmp -s "$tmp/direct.json" "$tmp/via.json" && cmp -s "$tmp/c.xml" "$tmp/back.xml"; then
    echo "ok xml-json-round-trip"
else
    echo "FAIL xml-json-round-trip: XML and JSON do not carry the same dataset"
fi

# The XSD's enumerations are record.c's lists.
enum_of() { sed -n "/<xs:simpleType name=\"$1\">/,/<\/xs:simpleType>/p" schemas/dossier.xsd |
            sed -n 's/.*<xs:enumeration value="\([^"]*\)".*/\1/p' | sort; }
array_of() { awk -v a="static const char \\*const $1\\[\\]" '$0 ~ a { on = 1 } on { print } on && /};/ { exit }' convert/record.c |
             grep -o '"[^"]*"' | tr -d '"' | sort; }
for pair in entity-kind:entity_kinds event-kind:event_kinds; do
    if [ -n "$(array_of "${pair#*:}")" ] && diff <(enum_of "${pair%%:*}") <(array_of "${pair#*:}") > "$tmp/d"; then
        echo "ok xsd-enum/${pair%%:*}"
    else
        echo "FAIL xsd-enum/${pair%%:*}: schemas/dossier.xsd and convert/record.c differ"; cat "$tmp/d"
    fi
done

# Division of labour: xmllint with the XSD alone rejects every invalid fixture
# except those only the model can judge (day of month, interval order, sets).
model_only=" xml-impossible-date.xml xml-interval-backwards.xml xml-duplicate-alias.xml "
for f in fixtures/invalid/xml-*.xml; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    xmllint --noout --nonet --schema schemas/dossier.xsd "$f" > /dev/null 2>&1; rc=$?
    case $model_only in
        *" $b "*) want=0 ;;
        *) want=nonzero ;;
    esac
    if { [ $want = 0 ] && [ $rc = 0 ]; } || { [ $want = nonzero ] && [ $rc != 0 ]; }; then
        echo "ok xsd-agrees/$b"
    else
        echo "FAIL xsd-agrees/$b: xmllint --schema exit $rc, expected $want"
    fi
done

# Hostile inputs: refused (2) or rejected (1), with a diagnostic and no output.
declare -A want=([xml-billion-laughs.xml]=2 [xml-external-entity.xml]=2 [xml-external-dtd.xml]=2
    [xml-parameter-entity.xml]=2 [xml-utf16-no-declaration.xml]=2 [xml-utf16-bom-no-declaration.xml]=2
    [xml-utf32-no-declaration.xml]=2 [xml-deep-nesting.xml]=2 [xml-truncated.xml]=1
    [xml-invalid-utf8.xml]=1 [xml-xinclude.xml]=1 [xml-schema-location.xml]=0)
for f in fixtures/hostile/xml-*.xml; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    timeout 10 ${DOSSIER_WRAP:-} "$DOSSIER" convert --to xml "$f" > "$tmp/out" 2> "$tmp/err"; rc=$?
    expect=${want[$b]:-unlisted}
    if [ "$rc" != "$expect" ]; then
        echo "FAIL hostile/$b: exit $rc, expected $expect"; head -3 "$tmp/err"
    elif [ "$rc" != 0 ] && { [ -s "$tmp/out" ] || ! grep -q "^$f:" "$tmp/err"; }; then
        echo "FAIL hostile/$b: expected a diagnostic and no output"
    else
        echo "ok hostile/$b"
    fi
done
