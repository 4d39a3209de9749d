#!/usr/bin/env python3
"""Writes N generated records (entities, events, sources, designations) as one
dataset in JSON Lines, in a shuffled order, for the benchmarks."""
import json
import random
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
rng = random.Random(42)
given = ["Sayf", "Saad", "Osama", "Mustafa", "Yasin", "Adel", "Ahmad", "Rami", "Khalid", "Hassan",
         "Ezedin", "Mahfouz", "Sulayman", "Zayn", "Hamza", "Muhammad"]
family = ["al-Adl", "bin Laden", "Hamid", "al-Suri", "Abdul Khaliq", "Siddiqui", "Makanesi",
          "al-Turabi", "Abu Ghayth", "al-Zawahiri", "Khalil", "Atharzadeh-Nyaki"]
# Names as other scripts write them: Arabic, Persian, Cyrillic, Greek, CJK.
other = ["سيف العدل", "أسامة بن لادن", "ياسين السوري", "مصطفى حامد", "عزالدين عبد العزيز خليل",
         "حزمت الله اطهرزاده", "Сайф аль-Адль", "Усама бен Ладен", "Ясин ас-Сури",
         "Σαΐφ αλ-Άντελ", "賽義夫·阿德爾", "奥萨马·本·拉登"]
sentences = [
    "According to the report, the meeting took place in a guest house near the border.",
    "The designation cites financial support, travel facilitation and recruitment.",
    "وفقاً للتقرير، عُقد الاجتماع في منزل قرب الحدود بحضور عدد من القادة.",
    "По данным доклада, встреча прошла в доме для гостей недалеко от границы.",
    "据报道，会议在边境附近的一处宾馆举行，多名负责人出席。",
    "Selon le rapport, la réunion s'est tenue près de la frontière, à Zāhedān.",
]
kinds = ["meeting", "training", "transit", "arrest", "release", "statement"]


def text(n_sentences):
    return " ".join(rng.choice(sentences) for _ in range(n_sentences))


order = list(range(n))
rng.shuffle(order)
out = sys.stdout
for i in order:
    k = i % 10
    if k < 6:
        rec = {"record": "entity", "id": "person-%07d" % i, "kind": "person",
               "name": "%s %s %d" % (rng.choice(given), rng.choice(family), i),
               "aliases": ["Abu %s %d" % (rng.choice(given), i), "%s %d" % (rng.choice(family), i),
                           "%s %d" % (rng.choice(other), i)],
               "evidence": "%s (record %d)" % (text(2), i)}
    elif k < 9:
        rec = {"record": "event", "id": "event-%07d" % i,
               "date": "%04d-%02d-%02d" % (1990 + i % 30, 1 + i % 12, 1 + i % 28),
               "kind": kinds[i % len(kinds)], "summary": "%s (number %d)" % (text(1 + i % 3), i),
               "participants": [{"entity": "person-%07d" % (i - k), "role": "subject"}],
               "sources": ["source-%07d" % (i - k + 9)]}
    else:
        rec = {"record": "source", "id": "source-%07d" % i, "title": "Report %d" % i,
               "publisher": "US Department of State", "date": "%04d" % (1990 + i % 30)}
    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
