#!/usr/bin/env python3
"""Writes N generated records (entities, events, sources, designations) as one
dataset in JSON Lines, in a shuffled order, for the benchmarks."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
rng = random.Random(42)
given = ["Sayf", "Saad", "Osama", "Mustafa", "Yasin", "Adel", "Ahmad", "Rami", "Khalid", "Hassan"]
family = ["al-Adl", "bin Laden", "Hamid", "al-Suri", "Abdul Khaliq", "Siddiqui", "Makanesi", "al-Turabi"]
kinds = ["meeting", "training", "transit", "arrest", "release", "statement"]
order = list(range(n))
rng.shuffle(order)
out = sys.stdout
for i in order:
    k = i % 10
    if k < 6:
        rec = {"record": "entity", "id": "person-%07d" % i, "kind": "person",
               "name": "%s %s %d" % (rng.choice(given), rng.choice(family), i),
               "aliases": ["Abu %s %d" % (rng.choice(given), i), "%s %d" % (rng.choice(family), i)],
               "evidence": "Generated record %d, quoted as a sentence would be." % i}
    elif k < 9:
        rec = {"record": "event", "id": "event-%07d" % i,
               "date": "%04d-%02d-%02d" % (1990 + i % 30, 1 + i % 12, 1 + i % 28),
               "kind": kinds[i % len(kinds)], "summary": "Something happened, number %d." % i,
               "participants": [{"entity": "person-%07d" % (i - k), "role": "subject"}],
               "sources": ["source-%07d" % (i - k + 9)]}
    else:
        rec = {"record": "source", "id": "source-%07d" % i, "title": "Report %d" % i,
               "publisher": "US Department of State", "date": "%04d" % (1990 + i % 30)}
    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
