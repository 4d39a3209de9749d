#!/usr/bin/env bash
# Output files are written atomically: a failed convert leaves an existing
# output as it was and no temporary file behind; the input is never modified.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
check() { if [ "$2" = 0 ]; then echo "ok output/$1"; else echo "FAIL output/$1"; fi; }
printf '{"entities":[{"id":"a","kind":"person","name":"A"}]}' > good.json
printf '{"entities":[{"id":"a","kind":"person"}]}' > bad.json
cp bad.json bad.copy
"$DOSSIER" convert --to json -o new.json bad.json 2> /dev/null
[ ! -e new.json ] && [ "$(ls | wc -l)" = 3 ]; check invalid-input-creates-nothing $?
echo previous > out.json
"$DOSSIER" convert --to xml -o out.json bad.json 2> /dev/null
[ "$(cat out.json)" = previous ] && [ "$(ls | wc -l)" = 4 ]; check invalid-input-keeps-old-output $?
"$DOSSIER" convert --to json -o out.json good.json && cmp -s out.json <("$DOSSIER" convert --to json good.json)
check valid-input-replaces-output $?
cmp -s bad.json bad.copy; check input-untouched $?
"$DOSSIER" convert --to json -o no-such-dir/out.json good.json 2> err; rc=$?
[ "$rc" = 2 ] && grep -q "no-such-dir/out.json: error: cannot write" err; check unwritable-output-is-exit-2 $?
