#!/usr/bin/env python3
"""Splits a dataset in dossier's canonical XML into N files of one folder,
its records dealt round: every file has the four sections, and together they
hold the dataset. Reads a line at a time (canonical XML puts each record's
tags on lines of their own, four spaces in)."""
import os
import sys

source, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(folder, exist_ok=True)
parts = [open(os.path.join(folder, "part-%04d.xml" % i), "w", encoding="utf-8")
         for i in range(n)]
turn, record = 0, []
with open(source, encoding="utf-8") as f:
    for line in f:
        if line.startswith("    "):  # inside a record
            record.append(line)
            closing = line.startswith("    </")
            whole = line.startswith("    <") and line.rstrip().endswith("/>")
            if closing or whole:
                parts[turn].writelines(record)
                turn, record = (turn + 1) % n, []
        else:  # the root and the sections' tags go to every file
            for p in parts:
                p.write(line)
for p in parts:
    p.close()
