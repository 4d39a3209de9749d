#!/usr/bin/env bash
# --from ofac-csv and --from ofac-xml stream. 100,000 generated CSV entries
# (four files, entries in shuffled order, too large to keep in the tree) are
# joined, and 30,000 generated XML parties with an entry each are read, with
# the sort budget at 2 MB: peak memory stays below 32 MB, as what grows is
# only the index of entity names that alias resolution keeps. Under a
# wrapper or the ASan build, a tenth of the size and no measurement keep the
# run short.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
measure=1
[ -n "${DOSSIER_WRAP:-}" ] || [[ $DOSSIER == */san/* ]] || [ ! -x /usr/bin/time ] && measure=
n=100000
[ -z "$measure" ] && n=10000
check() { if [ "$2" = 0 ]; then echo "ok ofac-stream/$1"; else echo "FAIL ofac-stream/$1"; fi; }
python3 - "$tmp" "$n" << 'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(1)
order = list(range(1, n + 1))
random.shuffle(order)
kinds = ['"individual"', "-0- ", '"vessel"', '"aircraft"']
with open(out + "/sdn.csv", "w", newline="") as s, open(out + "/alt.csv", "w", newline="") as a, \
        open(out + "/add.csv", "w", newline="") as d, \
        open(out + "/sdn_comments.csv", "w", newline="") as c:
    for i, e in enumerate(order):
        name = "SURNAME%d, Given Name%d" % (e, e) if e % 4 == 0 else "COMPANY %d LTD." % e
        s.write('%d,"%s",%s,"SDGT] [IFSR",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
                '"DOB %d Jan 1960; a.k.a. \'NICK%d\'."\r\n' % (e, name, kinds[e % 4], e % 28 + 1, e))
        a.write('%d,%d,"aka","OTHER NAME %d",-0- \r\n' % (e, i + 1, e))
        d.write('%d,%d,"%d Main Street","Town %d","Country",-0- \r\n' % (e, i + 1, e, e % 100))
        if e % 10 == 0:
            c.write('%d," continued for %d."\r\n' % (e, e))
    s.write("\x1a")
PY
run() { ${DOSSIER_WRAP:-} "$DOSSIER" "$@"; }
if [ -n "$measure" ]; then
    DOSSIER_SORT_MEMORY=2000000 /usr/bin/time -o "$tmp/time" -f %M \
        "$DOSSIER" convert --from ofac-csv --to jsonl "$tmp" > "$tmp/out.jsonl" 2> "$tmp/err"
else
    DOSSIER_SORT_MEMORY=2000000 run convert --from ofac-csv --to jsonl "$tmp" > "$tmp/out.jsonl" 2> "$tmp/err"
fi
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l < "$tmp/out.jsonl")" = "$n" ]
check "$n-entries-joined" $?
grep -qxF '{"aliases":["OTHER NAME 40","SURNAME40, Given Name40"],"id":"ofac-40","kind":"person","name":"Given Name40 SURNAME40","notes":"program: SDGT | program: IFSR | weak aka: NICK40 | address: 40 Main Street, Town 40, Country | remarks: DOB 13 Jan 1960; a.k.a. '"'NICK40'"'. continued for 40.","record":"entity"}' "$tmp/out.jsonl"
check "entry-joined-from-four-files" $?
if [ -n "$measure" ]; then
    kb=$(tail -1 "$tmp/time")
    [ "$kb" -lt 32768 ]
    check "peak-memory-below-32-mb ($kb KB)" $?
fi

# --from ofac-xml: 30,000 generated parties with an entry each, in a Sanctions
# document around the fixture's reference values (3,000 under a wrapper).
x=30000
[ -z "$measure" ] && x=3000
python3 - "$DOSSIER_ROOT/fixtures/ofac/xml/sdn_advanced.xml" "$tmp/big.xml" "$x" << 'PY'
import sys
doc, out, n = open(sys.argv[1]).read(), sys.argv[2], int(sys.argv[3])
head = doc[:doc.index("<DistinctParties>") + len("<DistinctParties>")] + "\n"
part = ('<DocumentedNamePart><NamePartValue NamePartGroupID="%d" ScriptID="215" '
        'ScriptStatusID="1" Acronym="false">%s</NamePartValue></DocumentedNamePart>')
group = '<MasterNamePartGroup><NamePartGroup ID="%d" NamePartTypeID="%d"/></MasterNamePartGroup>'
alias = ('<Alias FixedRef="%d" AliasTypeID="%d" Primary="%s" LowQuality="false">'
         '<DocumentedName ID="%d" FixedRef="%d" DocNameStatusID="1">%s</DocumentedName></Alias>')
day = "<Year>2020</Year><Month>1</Month><Day>2</Day>"
with open(out, "w") as f:
    f.write(head)
    for i in range(1, n + 1):
        person = i % 2 == 0
        name = (part % (4 * i, "Surname%d" % i) + part % (4 * i + 1, "Given%d" % i)) if person \
            else part % (4 * i, "COMPANY %d LTD." % i)
        groups = group % (4 * i, 1520) + group % (4 * i + 1, 1521) if person else group % (4 * i, 1525)
        f.write('<DistinctParty FixedRef="%d"><Profile ID="%d" PartySubTypeID="%d">'
                '<Identity ID="%d" FixedRef="%d" Primary="true" False="false">%s%s'
                '<NamePartGroups>%s%s</NamePartGroups></Identity></Profile></DistinctParty>\n'
                % (i, i, 4 if person else 3, i, i,
                   alias % (i, 1403, "true", 2 * i, i, name),
                   alias % (i, 1400, "false", 2 * i + 1, i, part % (4 * i + 2, "OTHER %d" % i)),
                   groups, group % (4 * i + 2, 1525)))
    f.write("</DistinctParties><ProfileRelationships/><SanctionsEntries>\n")
    for i in range(1, n + 1):
        f.write('<SanctionsEntry ID="%d" ProfileID="%d"><EntryEvent ID="%d" EntryEventTypeID="1">'
                '<Date CalendarTypeID="1">%s</Date></EntryEvent><SanctionsMeasure ID="%d" '
                'SanctionsTypeID="1"><Comment>SDGT</Comment><DatePeriod CalendarTypeID="1" '
                'YearFixed="false" MonthFixed="false" DayFixed="false"><Start Approximate="false" '
                'YearFixed="false" MonthFixed="false" DayFixed="false"><From>%s</From></Start>'
                '<End Approximate="false" YearFixed="false" MonthFixed="false" DayFixed="false">'
                '<To>%s</To></End></DatePeriod></SanctionsMeasure></SanctionsEntry>\n'
                % (i, i, i, day, i, day, day))
    f.write("</SanctionsEntries><SanctionsEntryLinks/></Sanctions>\n")
PY
if [ -n "$measure" ]; then
    DOSSIER_SORT_MEMORY=2000000 /usr/bin/time -o "$tmp/time" -f %M \
        "$DOSSIER" convert --from ofac-xml --to jsonl "$tmp/big.xml" > "$tmp/out.jsonl" 2> "$tmp/err"
else
    DOSSIER_SORT_MEMORY=2000000 run convert --from ofac-xml --to jsonl "$tmp/big.xml" > "$tmp/out.jsonl" 2> "$tmp/err"
fi
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l < "$tmp/out.jsonl")" = $((2 * x)) ] &&
    grep -qxF '{"aliases":["OTHER 40","SURNAME40, Given40"],"id":"ofac-40","kind":"person","name":"Given40 SURNAME40","record":"entity"}' "$tmp/out.jsonl"
check "xml-$x-parties-and-entries" $?
if [ -n "$measure" ]; then
    kb=$(tail -1 "$tmp/time")
    [ "$kb" -lt 32768 ]
    check "xml-peak-memory-below-32-mb ($kb KB)" $?
fi
