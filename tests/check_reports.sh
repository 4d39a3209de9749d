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

for form in junit html sarif json; do
    report "$form"
done
for form in junit html; do
    verdict "reports/$form-well-formed" "$(xmllint --noout "$tmp/$form.out" 2>&1)"
done

# The page stands alone: no scripts, nothing loaded from elsewhere.
verdict reports/html-self-contained \
    "$(grep -noiE '<script|<link|<img|<iframe|src=|@import|url\(|https?://' "$tmp/html.out")"

# Guards: the page shows each problem's source line, marked, between its
# neighbours, escaped (a value holding markup stays text), a window of a long
# line rather than all of it; and the summary a terminal shows.
printf '{"entities":[\n{"id":"a","kind":"person","name":"<script>alert(1)</script>"},\n{"id":"Bad","kind":"person","name":"%s"}\n]}\n' \
    "$(printf 'x%.0s' $(seq 1 3000))" > "$tmp/excerpt.json"
(cd "$tmp" && "$DOSSIER" validate --report html excerpt.json > excerpt.html)
problems=""
grep -qF '<span class="ln">2</span> {&quot;id&quot;:&quot;a&quot;,&quot;kind&quot;:&quot;person&quot;,&quot;name&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;},' "$tmp/excerpt.html" ||
    grep -qF '<span class="ln">2</span> {"id":"a","kind":"person","name":"&lt;script&gt;alert(1)&lt;/script&gt;"},' "$tmp/excerpt.html" ||
    problems+="line 2 is not shown escaped"$'\n'
grep -q '<mark><span class="ln">3</span> {"id":"Bad"' "$tmp/excerpt.html" || problems+="line 3 is not marked"$'\n'
[ "$(grep -o '<mark><span class="ln">3</span>[^<]*' "$tmp/excerpt.html" | wc -c)" -lt 400 ] ||
    problems+="a long line is shown whole"$'\n'
grep -q '1 file checked: 0 valid, 1 invalid; 1 error' "$tmp/excerpt.html" || problems+="no summary"$'\n'
problems+=$(xmllint --noout "$tmp/excerpt.html" 2>&1 | head -3)
verdict reports/html-excerpts "$problems"

# One python3 run (it is slow to start) checks the structure readers rely on.
python3 - "$tmp" "${#inputs[@]}" <<'PY'
import json, sys, xml.etree.ElementTree as ET
tmp, n_inputs = sys.argv[1], int(sys.argv[2])

def canonical(text, doc):
    return text == json.dumps(doc, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False) + "\n"

def junit(need):
    """One testsuite per input, a testcase per diagnostic with the file and line
    that reporters link to, counts that add up, <error> for what was not checked."""
    root = ET.parse(f"{tmp}/junit.out").getroot()
    suites = root.findall("testsuite")
    need(len(suites) == n_inputs, f"{len(suites)} testsuites for {n_inputs} inputs")
    totals = [0, 0, 0]
    for suite in suites:
        cases = suite.findall("testcase")
        fails = [c for c in cases if c.find("failure") is not None]
        errs = [c for c in cases if c.find("error") is not None]
        want = (str(len(cases)), str(len(fails)), str(len(errs)))
        got = (suite.get("tests"), suite.get("failures"), suite.get("errors"))
        need(got == want, f"{suite.get('name')} counts {got}, expected {want}")
        totals = [totals[0] + len(cases), totals[1] + len(fails), totals[2] + len(errs)]
        for c in cases:
            need(c.get("file") == suite.get("name"), f"testcase file {c.get('file')}")
        for c in fails:
            need(c.find("failure").get("type") in ("syntax", "schema"), "failure type")
            need(int(c.get("line", "0")) >= 1, f"failure without a line: {c.get('name')}")
    got = (root.get("tests"), root.get("failures"), root.get("errors"))
    need(got == tuple(map(str, totals)), f"testsuites counts {got}, expected {totals}")
    by_name = {s.get("name"): s for s in suites}
    valid = by_name.get("valid.json")
    need(valid is not None and valid.get("failures") == "0" and valid.get("errors") == "0",
         "valid.json is not a passing testsuite")
    gone = by_name.get("/nonexistent/x.json")
    need(gone is not None and gone.find("testcase/error") is not None,
         "an unreadable file is not an <error>")

def sarif(need):
    """The members SARIF 2.1.0 requires, and indexes that point where they should."""
    text = open(f"{tmp}/sarif.out", encoding="utf-8").read()
    log = json.loads(text)
    need(canonical(text, log), "not in canonical member order")
    need(log["version"] == "2.1.0" and "sarif-schema-2.1.0" in log["$schema"], "version")
    need(len(log["runs"]) == 1, "not exactly one run")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    need(driver["name"] == "dossier" and driver["version"] == "0.1.0", "driver")
    ids = [r["id"] for r in driver["rules"]]
    need(ids == ["syntax", "schema", "io", "refused", "bad-schema", "usage"], f"rules {ids}")
    need(all(r["shortDescription"]["text"] for r in driver["rules"]), "rule without text")
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    need(len(uris) == n_inputs and "valid.json" in uris, f"artifacts {uris}")
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
                need(logical["fullyQualifiedName"].startswith("/"), "not a JSON Pointer")
    need(any(r["ruleId"] == "io" for r in run["results"]), "no io result")

def json_report(need):
    text = open(f"{tmp}/json.out", encoding="utf-8").read()
    doc = json.loads(text)
    need(canonical(text, doc), "not in canonical member order")
    need(set(doc) == {"diagnostics", "dropped", "files", "valid"}, f"members {sorted(doc)}")
    need(doc["valid"] is False, "valid is not false")
    keys = {"column", "file", "kind", "line", "message", "path", "severity"}
    need(all(set(d) == keys for d in doc["diagnostics"]), "a diagnostic lacks members")
    need(len(doc["files"]) == n_inputs and "valid.json" in doc["files"], "files")

for name, check in (("junit-structure", junit), ("sarif-2.1.0", sarif),
                    ("json-canonical", json_report)):
    problems = []
    try:
        check(lambda ok, what: ok or problems.append(what))
    except Exception as e:  # a missing member fails the check, it does not stop the rest
        problems.append(f"{type(e).__name__}: {e}")
    print(f"ok reports/{name}" if not problems else
          f"FAIL reports/{name}\n" + "\n".join(problems))
PY

# Past DSR_DIAGS_KEEP (10000) diagnostics are counted, not kept: every form
# must say how many it does not show. 10002 unreadable files make them fast.
mapfile -t gone < <(seq -f 'gone%g.json' 1 10002)
(cd "$tmp" && ${DOSSIER_WRAP:-} "$DOSSIER" validate "${gone[@]}" 2> out.text) &
for form in json github sarif junit html; do
    (cd "$tmp" && ${DOSSIER_WRAP:-} "$DOSSIER" validate --report "$form" "${gone[@]}" > "out.$form") &
done
wait
problems=""
need() { grep -qF -- "$2" "$tmp/out.$1" || problems+="$1: no $2"$'\n'; }
need text 'dossier: note: 2 more diagnostics not shown'
need json '"dropped":2,'
need github '::notice::2 more diagnostics not shown'
need sarif '"toolExecutionNotifications":[{"level":"note","message":{"text":"2 more diagnostics not shown"}}]'
need junit '<system-err>2 more diagnostics not shown</system-err>'
need html '2 more problems were counted but not kept'
# Guards: a file whose problems all came past the cap is not counted valid.
need text 'dossier: 10002 files checked: 0 valid, 10002 unreadable or refused; 10002 errors'
need html '<title>dossier validate: 10002 of 10002 files failed</title>'
need junit '<error message="1 problem counted but not kept" type="dropped"/>'
problems+=$(xmllint --noout "$tmp/out.junit" "$tmp/out.html" 2>&1 | head -3)
verdict reports/dropped "$problems"

# Machine-readable reports carry a file's whole path, however deep: a cut
# path ("...") would point annotations and links at a file that does not
# exist. A path of 400 bytes, with an invalid file at its end.
deep="$tmp/$(printf 'folder-of-some-depth-%02d/' $(seq 1 18))"
mkdir -p "$deep"
printf '{"entities":[{"id":"Bad Id","kind":"person","name":"X"}]}\n' > "${deep}bad.json"
problems=""
for form in text json github sarif junit html; do
    if [ "$form" = text ]; then
        "$DOSSIER" validate "${deep}bad.json" 2> "$tmp/deep.$form"
    else
        "$DOSSIER" validate --report "$form" "${deep}bad.json" > "$tmp/deep.$form" 2> /dev/null
    fi
    grep -qF -- "${deep#/}bad.json" "$tmp/deep.$form" || problems+="$form: the path is not whole"$'\n'
    ! grep -qF -- '...' "$tmp/deep.$form" || problems+="$form: a path is cut"$'\n'
done
verdict reports/whole-paths "$problems"
