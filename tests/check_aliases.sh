#!/usr/bin/env bash
# The alias test set (tests/aliases): names from the reference article and
# their spellings in other sources. In each mode, every group of
# <mode>.groups must be one entity (no missed join), no two groups may share
# an entity (no false merge), "ambiguous" groups must be marked so; the
# output must not change across runs, nor (line numbers aside) across
# shuffles of the input. Prints "ok NAME" or "FAIL NAME" lines.
set -u
dir="$DOSSIER_ROOT/tests/aliases"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Prints "NAME<TAB>ID<TAB>AMBIGUOUS" for every name (primary and aliases) of
# every entity of the output on stdin. Our output is canonical JSON, and the
# test set's names hold no quotes or brackets, so a pattern suffices.
names_of() {
    awk '{
        id = $0; sub(/.*"id":"/, "", id); sub(/".*/, "", id)
        amb = index($0, "\"ambiguous\":true") ? "ambiguous" : "-"
        name = $0; sub(/.*"name":"/, "", name); sub(/"}$/, "", name)
        print name "\t" id "\t" amb
        al = $0; sub(/^\{"aliases":\[/, "", al); sub(/\].*/, "", al)
        n = split(al, parts, /","/)
        for (i = 1; i <= n; i++) { a = parts[i]; gsub(/"/, "", a); if (a != "") print a "\t" id "\t" amb }
    }'
}

# Checks one mode's groups against names_of output in $1.
check_groups() {
    local mode=$1 table=$2 bad=0 line amb names first id seen
    declare -A owner
    while IFS= read -r line; do
        case $line in ''|'#'*) continue ;; esac
        amb=0
        case $line in "ambiguous "*) amb=1; line=${line#ambiguous } ;; esac
        first=
        IFS='|' read -ra names <<< "$line"
        for n in "${names[@]}"; do
            n=$(sed 's/^ *//; s/ *$//' <<< "$n")
            id=$(awk -F '\t' -v n="$n" '$1 == n { print $2; exit }' "$table")
            if [ -z "$id" ]; then echo "FAIL aliases $mode: \"$n\" is in no entity"; bad=1; continue; fi
            if [ -z "$first" ]; then
                first=$id
                if [ -n "${owner[$id]:-}" ]; then
                    echo "FAIL aliases $mode: false merge: \"$n\" is in one entity with \"${owner[$id]}\" ($id)"; bad=1
                fi
                owner[$id]=$n
                if [ $amb = 1 ] && ! grep -q "	$id	ambiguous\$" "$table"; then
                    echo "FAIL aliases $mode: \"$n\" is not marked ambiguous"; bad=1
                fi
            elif [ "$id" != "$first" ]; then
                echo "FAIL aliases $mode: missed join: \"$n\" ($id) is not with \"${names[0]}\" ($first)"; bad=1
            fi
        done
    done < "$dir/$mode.groups"
    [ $bad = 0 ] && echo "ok aliases $mode: groups"
}

# Prints, for the output $1 of input $2, "ID<TAB>LINE TEXT" sorted: membership
# without line numbers, so that shuffled inputs compare equal.
members() {
    awk -F '\t' 'NR == FNR { text[FNR] = $0; next }
        {
            id = $0; sub(/.*"id":"/, "", id); sub(/".*/, "", id)
            l = $0; sub(/.*"lines":\[/, "", l); sub(/\].*/, "", l)
            n = split(l, nums, ",")
            for (i = 1; i <= n; i++) print id "\t" text[nums[i]]
        }' "$2" "$1" | LC_ALL=C sort
}

for mode in default fuzzy; do
    flag=(); [ $mode = fuzzy ] && flag=(--fuzzy)
    ${DOSSIER_WRAP:-} "$DOSSIER" aliases -q "${flag[@]}" --explain "$dir/input.txt" > "$tmp/$mode.out" 2> "$tmp/err"
    rc=$?
    if [ $rc != 0 ] || [ -s "$tmp/err" ]; then
        echo "FAIL aliases $mode: exit status $rc"; cat "$tmp/err"; continue
    fi
    names_of < "$tmp/$mode.out" > "$tmp/$mode.names"
    check_groups $mode "$tmp/$mode.names"

    "$DOSSIER" aliases -q "${flag[@]}" --explain "$dir/input.txt" > "$tmp/again.out"
    if cmp -s "$tmp/$mode.out" "$tmp/again.out"; then echo "ok aliases $mode: same bytes across runs"
    else echo "FAIL aliases $mode: output differs across runs"; fi

    members "$tmp/$mode.out" "$dir/input.txt" > "$tmp/base.members"
    sed 's/"lines":\[[0-9,]*\],//' "$tmp/$mode.out" | LC_ALL=C sort > "$tmp/base.sorted"
    ok=1
    for seed in 1 2 3 4 5; do
        shuf --random-source=<(yes $seed) "$dir/input.txt" > "$tmp/shuf.txt"
        "$DOSSIER" aliases "${flag[@]}" --explain "$tmp/shuf.txt" > "$tmp/shuf.out"
        sed 's/"lines":\[[0-9,]*\],//' "$tmp/shuf.out" | LC_ALL=C sort > "$tmp/shuf.sorted"
        members "$tmp/shuf.out" "$tmp/shuf.txt" > "$tmp/shuf.members"
        if ! cmp -s "$tmp/base.sorted" "$tmp/shuf.sorted" || ! cmp -s "$tmp/base.members" "$tmp/shuf.members"; then
            echo "FAIL aliases $mode: shuffle $seed changes the output"
            diff "$tmp/base.sorted" "$tmp/shuf.sorted" | head -10
            ok=0
        fi
    done
    [ $ok = 1 ] && echo "ok aliases $mode: same entities across shuffled input"
done
