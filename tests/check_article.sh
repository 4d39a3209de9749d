#!/usr/bin/env bash
# The reference dataset in fixtures/article/ against the article it comes from:
# both files validate and convert to the same canonical JSON; it holds the
# records the article dates; every reference resolves to a record of the right
# kind; every dated source is cited by a record of its date; and every
# `evidence` is a sentence of the article. Prints "ok NAME" or "FAIL NAME".
dir="$DOSSIER_ROOT/fixtures/article"
article="$DOSSIER_ROOT/../shared/source/article.txt"

for f in article.json article.jsonl; do
    err=$(${DOSSIER_WRAP:-} "$DOSSIER" validate "$dir/$f" 2>&1 >/dev/null); rc=$?
    if [ "$rc" = 0 ]; then echo "ok article/validate-$f"; else echo "FAIL article/validate-$f: exit $rc"; printf '%s\n' "$err" | head -20; fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${DOSSIER_WRAP:-} "$DOSSIER" convert --to json "$dir/article.json" > "$tmp/json" 2>&1; rc1=$?
${DOSSIER_WRAP:-} "$DOSSIER" convert --to json "$dir/article.jsonl" > "$tmp/jsonl" 2>&1; rc2=$?
if [ "$rc1" != 0 ] || [ "$rc2" != 0 ]; then
    echo "FAIL article/jsonl-and-json-convert-alike: convert exited $rc1 (json), $rc2 (jsonl)"
    head -c 2000 "$tmp/json" "$tmp/jsonl"
elif ! cmp -s "$tmp/json" "$tmp/jsonl"; then
    echo "FAIL article/jsonl-and-json-convert-alike: canonical JSON of article.jsonl differs from article.json"
else
    echo "ok article/jsonl-and-json-convert-alike"
fi

if [ ! -f "$article" ]; then
    echo "skip article/evidence: no article text at $article"
    article=""
fi

python3 - "$dir/article.json" "$article" <<'EOF'
import json, re, sys

data = json.load(open(sys.argv[1], encoding="utf-8"))
ids = {kind: {r["id"] for r in data[kind]} for kind in data}

def report(name, problems):
    if problems:
        print("FAIL article/%s" % name)
        for p in problems[:20]:
            print("  " + p)
    else:
        print("ok article/%s" % name)

counts = {"entities": 40, "designations": 4, "events": 25, "sources": 12}
report("counts", ["%d %s, expected at least %d" % (len(data[k]), k, n)
                  for k, n in counts.items() if len(data[k]) < n] +
                 (["%d designations, expected 4 (one per dated act)" % len(data["designations"])]
                  if len(data["designations"]) != 4 else []))

bad = []
for r in data["designations"]:
    bad += ["%s: subject %r is not an entity" % (r["id"], s) for s in r["subjects"] if s not in ids["entities"]]
for r in data["events"]:
    bad += ["%s: participant %r is not an entity" % (r["id"], p["entity"])
            for p in r.get("participants", []) if p["entity"] not in ids["entities"]]
for kind in ("designations", "events"):
    for r in data[kind]:
        bad += ["%s: source %r is not a source" % (r["id"], s) for s in r.get("sources", []) if s not in ids["sources"]]
report("references", bad)

# An entity's sentence names it, by its name or one of its aliases.
report("entity-named-in-evidence",
       ["%s: evidence names neither %r nor an alias" % (r["id"], r["name"]) for r in data["entities"]
        if not any(n.lower() in r.get("evidence", "").lower() for n in [r["name"]] + r.get("aliases", []))])

# A dated source is a dated act: some designation or event of that date cites it.
cited = {(s, r["date"]) for k in ("designations", "events") for r in data[k] for s in r.get("sources", [])}
report("dated-sources-cited", ["%s: no designation or event dated %s cites it" % (r["id"], r["date"])
                               for r in data["sources"] if "date" in r and (r["id"], r["date"]) not in cited])

if not sys.argv[2]:
    sys.exit(0)

# The PDF extraction interleaves captions and pull quotes into sentences that
# run across a page: these blocks leave the running text (they stay, at the
# end, as text of their own) before the hyphen-split words are joined.
INTERLEAVED = (
    "According to the 9/11 Commission Report, Sudanese officials",
    "The hostility between Iran and its enemies such as the US and its regional Arab allies show no",
    "Ties to Al-Qaeda afford Iran options",
    "(Left) Yasin al-Suri",
    "Ideological differences have hindered",
)

def collapse(s):
    return re.sub(r"\s+", " ", s).strip()

def reading_text(raw):
    raw = raw.replace("*", "")                  # Markdown emphasis, not text
    raw = re.sub(r"(?m)^n 16 February 2012,", "On 16 February 2012,", raw)  # lost drop cap
    paras = [p for p in re.split(r"\n\s*\n", raw) if p.strip()]
    flow = [p for p in paras if not collapse(p).startswith(INTERLEAVED)]
    moved = [p for p in paras if collapse(p).startswith(INTERLEAVED)]
    text = "\n\n".join(flow + moved)
    text = re.sub(r"(?<=[A-Za-z])-\s*\n\s*(?=[a-z])", "", text)
    return collapse(text)

text = reading_text(open(sys.argv[2], encoding="utf-8").read())
bad = []
for kind in data:
    for r in data[kind]:
        if "evidence" not in r:
            bad.append("%s: no evidence" % r["id"])
        elif collapse(r["evidence"]) not in text:
            bad.append("%s: evidence not in the article: %.80s" % (r["id"], r["evidence"]))
report("evidence", bad)
EOF
