#!/usr/bin/env bash
# The machine reports must be what their readers accept, whatever the input
# holds: JUnit and the HTML page well-formed XML (xmllint), SARIF with the
# members SARIF 2.1.0 requires, JSON reports in RFC 8785 member order. Each is
# checked on the report-* case inputs and on inputs with hostile names.
cases="$DOSSIER_ROOT/tests/cases/validate"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Inputs: the golden case's three files, a file whose name needs escaping
# everywhere, and two that cannot be opened (one not even UTF-8).
cp "$cases/report-junit/input.json" "$cases/report-junit/valid.json" \
    "$cases/report-junit/odd.json" "$tmp/"
hostile="a&b <c> \"d\" 'e' %f,g:h.json"
cp "$cases/report-junit/odd.json" "$tmp/$hostile"
inputs=(input.json valid.json odd.json "$hostile" "$(printf 'gone\x01\xff.json')" /nonexistent/x.json)

report() { (cd "$tmp" && ${DOSSIER_WRAP:-} "$DOSSIER" validate --report "$1" "${inputs[@]}" > "$1.out"); }

# Prints "ok NAME" or "FAIL NAME" and what went wrong.
verdict() {
    if [ -z "$2" ]; then echo "ok $1"; else echo "FAIL $1"; printf '%s\n' "$2"; fi
}

for form in junit html; do
    report "$form"
    verdict "reports/$form-well-formed" "$(xmllint --noout "$tmp/$form.out" 2>&1)"
done

# Structure a JUnit reader relies on: one testcase per input, counts that add up.
verdict reports/junit-structure "$(python3 - "$tmp/junit.out" "${#inputs[@]}" <<'EOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root.find("testsuite")
cases = suite.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
errs = [c for c in cases if c.find("error") is not None]
problems = []
if len(cases) != int(sys.argv[2]):
    problems.append(f"{len(cases)} testcases for {sys.argv[2]} inputs")
for node in (root, suite):
    got = (node.get("tests"), node.get("failures"), node.get("errors"))
    want = (str(len(cases)), str(len(fails)), str(len(errs)))
    if got != want:
        problems.append(f"{node.tag} counts {got}, expected {want}")
names = {c.get("name") for c in cases}
if "valid.json" not in names or any(c.get("name") == "valid.json" for c in fails + errs):
    problems.append("valid.json is not a passing testcase")
if not any(c.get("name") == "/nonexistent/x.json" for c in errs):
    problems.append("an unreadable file is not an <error>")
for c in fails:
    if c.find("failure").get("type") not in ("syntax", "schema"):
        problems.append(f"failure type {c.find('failure').get('type')!r}")
print("\n".join(problems))
EOF
)"

# The page stands alone: no scripts, nothing loaded from elsewhere.
verdict reports/html-self-contained "$(grep -noiE '<script|<link|<img|<iframe|src=|@import|url\(|https?://' "$tmp/html.out")"

report sarif
verdict reports/sarif-2.1.0 "$(python3 - "$tmp/sarif.out" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
log = json.loads(text)
problems = []
def need(cond, what):
    if not cond:
        problems.append(what)
need(text == json.dumps(log, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n",
     "not in canonical member order")
need(log.get("version") == "2.1.0" and "sarif-schema-2.1.0" in log.get("$schema", ""),
     "version or $schema missing")
need(len(log.get("runs", [])) == 1, "not exactly one run")
run = log["runs"][0]
driver = run["tool"]["driver"]
need(driver.get("name") == "dossier" and driver.get("version") == "0.1.0", "driver name/version")
ids = [r["id"] for r in driver["rules"]]
need(ids == ["syntax", "schema", "io", "refused", "bad-schema", "usage"], f"rules {ids}")
need(all(r["shortDescription"]["text"] for r in driver["rules"]), "rule without description")
uris = [a["location"]["uri"] for a in run["artifacts"]]
need(len(uris) == 6 and "valid.json" in uris, f"artifacts {uris}")
need("file:///nonexistent/x.json" in uris, "absolute path is not a file: URI")
need(all(" " not in u and "\\" not in u for u in uris), "unencoded URI")
need(run["invocations"][0]["exitCode"] == 2, "exitCode is not 2")
for res in run["results"]:
    need(res["level"] in ("error", "warning", "note"), f"level {res['level']}")
    need(ids[res["ruleIndex"]] == res["ruleId"], "ruleIndex does not match ruleId")
    need(res["message"]["text"], "empty message")
    for loc in res.get("locations", []):
        art = loc["physicalLocation"]["artifactLocation"]
        need(uris[art["index"]] == art["uri"], "artifact index does not match uri")
        region = loc["physicalLocation"].get("region", {})
        need(all(region[k] >= 1 for k in region), f"region {region}")
        for logical in loc.get("logicalLocations", []):
            need(logical["fullyQualifiedName"].startswith("/"), "pointer is not a JSON Pointer")
need(any(r["ruleId"] == "io" for r in run["results"]), "no io result for the unreadable files")
print("\n".join(problems))
EOF
)"

report json
verdict reports/json-canonical "$(python3 - "$tmp/json.out" <<'EOF'
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
doc = json.loads(text)
problems = []
if text != json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n":
    problems.append("not in canonical member order")
if set(doc) != {"diagnostics", "dropped", "files", "valid"} or doc["valid"] is not False:
    problems.append(f"members {sorted(doc)}")
keys = {"column", "file", "kind", "line", "message", "path", "severity"}
if any(set(d) != keys for d in doc["diagnostics"]):
    problems.append("a diagnostic lacks members")
if len(doc["files"]) != 6 or "valid.json" not in doc["files"]:
    problems.append(f"files {doc['files']}")
print("\n".join(problems))
EOF
)"
