#!/usr/bin/env python3
"""Writes a generated OFAC list, for the streaming checks and make bench:
   gen_ofac.py csv DIR N              sdn.csv, alt.csv, add.csv, sdn_comments.csv:
                                      N entries in shuffled order
   gen_ofac.py xml OUT N FIXTURE      an advanced-XML Sanctions document of N
                                      parties with an entry each, around the
                                      reference values of FIXTURE"""
import random
import sys


def csv_list(out, n):
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


def xml_list(out, n, fixture):
    doc = open(fixture).read()
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


if sys.argv[1] == "csv":
    csv_list(sys.argv[2], int(sys.argv[3]))
else:
    xml_list(sys.argv[2], int(sys.argv[3]), sys.argv[4])
