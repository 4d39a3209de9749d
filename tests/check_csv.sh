#!/usr/bin/env bash
# CSV output: canonical CSV converts to the same bytes again; JSON -> CSV ->
# JSON gives back the same canonical JSON; tables are written atomically, all
# four every time, with the mode of a new file. Prints "ok NAME" / "FAIL NAME".
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
ok() { echo "ok csv/$1"; }
fail() { echo "FAIL csv/$1"; [ $# -gt 1 ] && printf '%s\n' "$2" | head -20; }

# A dataset with every field, list cells, participants, text that needs quoting
# (commas, quotes, a line break that normalisation folds) and non-ASCII text.
cat > "$tmp/rich.json" <<'EOF'
{"entities":[
 {"id":"person-sayf-al-adl","kind":"person","name":"Sayf al-Adl",
  "aliases":["Saif al-Adel","Sayf","Muhamad Ibrahim Makkawi"],
  "notes":"Egyptian; \"military\" commander,\nlater in Iran","evidence":"Sayf al-Adl, an Egyptian"},
 {"id":"org-al-qaeda","kind":"organization","name":"Al-Qaeda","aliases":["al-Qa'ida","The Base, \"al-Qaeda\""]},
 {"id":"person-zawahiri","kind":"person","name":"Ayman  al-Ẓawāhirī"},
 {"id":"org-a-b-group","kind":"organization","name":"A=B Group"}],
"designations":[{"id":"des-2001-sayf","date":"2001-10-12","authority":"US Department of the Treasury",
 "program":"E.O. 13224","subjects":["person-sayf-al-adl","Muhamad Ibrahim Makkawi"],
 "reason":"senior leader, \"operations\"","sources":["src-treasury"]}],
"events":[
 {"id":"ev-1","date":"1991/1992","kind":"meeting","summary":"Met in Khartoum, Sudan","place":"Khartoum",
  "participants":[{"entity":"person-sayf-al-adl","role":"attendee"},{"entity":"A=B Group","role":"host"}],
  "sources":["src-treasury","src-article"]},
 {"id":"ev-2","date":"1993-11~","kind":"training","summary":"Çamp — “quoted”",
  "participants":[{"entity":"org-al-qaeda","role":"trainer"}]}],
"sources":[{"id":"src-treasury","title":"Treasury designates \"al-Qaeda\" leaders, 2001",
  "publisher":"US Department of the Treasury","date":"2001-10-12"},{"id":"src-article","title":"Analysis"}]}
EOF
sample="$DOSSIER_ROOT/tests/cases/convert/json-to-canonical-json/input.json"

# JSON -> CSV -> JSON gives the canonical JSON back; CSV -> CSV changes nothing.
for input in "$sample" "$tmp/rich.json"; do
    name=$([ "$input" = "$sample" ] && echo sample || echo rich)
    rm -rf "$tmp/a" "$tmp/b"
    if ! err=$(run convert --to json "$input" 2>&1 > "$tmp/want.json"); then
        fail "$name: json to json" "$err"; continue
    fi
    if ! err=$(run convert --to csv -o "$tmp/a" "$input" 2>&1); then
        fail "$name: json to csv" "$err"; continue
    fi
    d=""
    if err=$(run convert --to json "$tmp/a"/*.csv 2>&1 > "$tmp/got.json") &&
        d=$(diff "$tmp/want.json" "$tmp/got.json"); then
        ok "$name: json to csv to json"
    else
        fail "$name: json to csv to json" "$err$d"
    fi
    d=""
    if err=$(run convert --to csv -o "$tmp/b" "$tmp/a"/*.csv 2>&1) &&
        d=$(diff -r "$tmp/a" "$tmp/b"); then
        ok "$name: csv to csv is byte-identical"
    else
        fail "$name: csv to csv is byte-identical" "$err$d"
    fi
done

# The canonical bytes themselves: CRLF, quoting only where needed, lists, roles.
rm -rf "$tmp/a"
run convert --to csv -o "$tmp/a" "$tmp/rich.json" 2>/dev/null
printf '%s\r\n' 'id,date,kind,summary,place,participants,sources,evidence' \
    'ev-1,1991/1992,meeting,"Met in Khartoum, Sudan",Khartoum,attendee=person-sayf-al-adl; host=org-a-b-group,src-treasury; src-article,' \
    'ev-2,1993-11~,training,Çamp — “quoted”,,trainer=org-al-qaeda,,' > "$tmp/events.want"
printf '%s\r\n' 'id,kind,name,aliases,notes,evidence' \
    'org-a-b-group,organization,A=B Group,,,' \
    'org-al-qaeda,organization,Al-Qaeda,"The Base, ""al-Qaeda""; al-Qa'"'"'ida",,' \
    'person-sayf-al-adl,person,Sayf al-Adl,Muhamad Ibrahim Makkawi; Saif al-Adel; Sayf,"Egyptian; ""military"" commander, later in Iran","Sayf al-Adl, an Egyptian"' \
    'person-zawahiri,person,Ayman al-Ẓawāhirī,,,' > "$tmp/entities.want"
for t in events entities; do
    if d=$(diff "$tmp/$t.want" "$tmp/a/$t.csv" 2>&1); then ok "canonical $t.csv"; else fail "canonical $t.csv" "$d"; fi
done

# Every table is written, a header alone when the kind has no records; no
# temporary file is left; tables get the mode of a new file (umask 022).
rm -rf "$tmp/a"
(umask 022 && run convert --to csv -o "$tmp/a" "$sample" 2>/dev/null)
if [ "$(cat "$tmp/a/designations.csv")" = $'id,date,authority,program,subjects,reason,sources,evidence\r' ] &&
    [ "$(ls -A "$tmp/a" | tr '\n' ' ')" = "designations.csv entities.csv events.csv sources.csv " ]; then
    ok "four tables, no temporary file"
else
    fail "four tables, no temporary file" "$(ls -A "$tmp/a")"
fi
if [ "$(stat -c %a "$tmp/a/entities.csv")" = 644 ]; then ok "table mode"; else fail "table mode" "$(stat -c %a "$tmp/a/entities.csv")"; fi

# A failed run leaves the folder as it was: invalid input writes nothing, and
# an output that cannot be a folder is an error (exit 2) with nothing written.
cp -r "$tmp/a" "$tmp/before"
printf '{"entities":[{"id":"x"}]}' > "$tmp/bad.json"
run convert --to csv -o "$tmp/a" "$tmp/bad.json" 2>/dev/null; rc=$?
if [ "$rc" = 1 ] && d=$(diff -r "$tmp/before" "$tmp/a"); then ok "invalid input leaves the tables"; else fail "invalid input leaves the tables" "exit $rc $d"; fi
: > "$tmp/file"
err=$(run convert --to csv -o "$tmp/file" "$sample" 2>&1); rc=$?
if [ "$rc" = 2 ] && [ ! -s "$tmp/file" ] && [ -n "$err" ]; then ok "output not a folder"; else fail "output not a folder" "exit $rc $err"; fi
