#!/usr/bin/env bash
# The reference dataset in its four forms (XML, JSON, JSON Lines, CSV tables)
# must convert to byte-identical canonical output in every format, and
# converting that output again must change nothing.
article=$DOSSIER_ROOT/fixtures/article
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
forms="article.xml article.json article.jsonl csv"

# convert TO INPUT OUT: canonical output of INPUT in format TO, into OUT (a file, or a folder for CSV)
convert() {
    if [ "$1" = csv ]; then "$DOSSIER" convert --to csv -o "$3" "$2"; else "$DOSSIER" convert --to "$1" "$2" > "$3"; fi
}
same() { if [ -d "$1" ]; then diff -r "$1" "$2" > /dev/null; else cmp -s "$1" "$2"; fi; }

for to in xml json jsonl csv; do
    ok=1
    for form in $forms; do
        convert "$to" "$article/$form" "$tmp/$to-${form//./-}" 2> "$tmp/err" || { ok=0; echo "  $form: $(head -3 "$tmp/err")"; }
    done
    for form in $forms; do
        same "$tmp/$to-article-json" "$tmp/$to-${form//./-}" || { ok=0; echo "  $form differs from article.json"; }
    done
    if [ $ok = 1 ]; then echo "ok formats/$to-identical-from-every-form"; else echo "FAIL formats/$to-identical-from-every-form"; fi
    # Canonical output is a fixed point.
    ext=$to; [ "$to" = csv ] && again_in=$tmp/$to-article-json || again_in=$tmp/$to-article-json.$ext
    [ "$to" != csv ] && cp "$tmp/$to-article-json" "$again_in"
    if convert "$to" "$again_in" "$tmp/$to-again" 2> "$tmp/err" && same "$tmp/$to-article-json" "$tmp/$to-again"; then
        echo "ok formats/$to-converts-to-itself"
    else
        echo "FAIL formats/$to-converts-to-itself"; head -3 "$tmp/err"
    fi
done
