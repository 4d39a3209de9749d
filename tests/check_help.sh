#!/usr/bin/env bash
# Help and what must agree with it: `--help`, `-h` and `dossier help COMMAND`
# print the same text on stdout with exit 0; every option a help lists is in
# the man page and in both shell completions; usage errors are one line and
# one hint; a mistyped command or option gets the nearest one suggested.
set -u
root=${DOSSIER_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

check() { # NAME PROBLEMS
    if [ -z "$2" ]; then echo "ok help/$1"; else printf 'FAIL help/%s\n%s\n' "$1" "$2"; fi
}

# Guards: every way of asking for help answers on stdout, exit 0, the same text.
problems=""
for cmd in "" validate convert aliases help; do
    for form in "$cmd --help" "$cmd -h" "help $cmd"; do
        # shellcheck disable=SC2086
        "$DOSSIER" $form > out 2> err; rc=$?
        [ "$rc" = 0 ] && [ -s out ] && [ ! -s err ] ||
            problems+="dossier $form: exit $rc, $(wc -l < out) lines out, $(head -1 err)"$'\n'
        # shellcheck disable=SC2086
        cmp -s out <("$DOSSIER" $cmd --help) || problems+="dossier $form differs from --help"$'\n'
        cat out >> all-help
    done
done
check help-on-stdout "$problems"

# Guards: the options a help lists, written as the man page and completions write them.
options=$(grep -oE '^  (-[a-z], )?--[a-z-]+' all-help | tr -d ' ' | tr ',' '\n' | sort -u)
[ -n "$options" ] && grep -q -- '--format-assert' <<< "$options" ||
    check options-listed "validate --help lists no --format-assert: $(head -3 all-help)"
man="" bash_c="" zsh_c=""
for opt in $options; do
    grep -qF -- "${opt//-/\\-}" "$root/doc/dossier.1" || man+="$opt"$'\n'
    grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$root/completions/dossier.bash" || bash_c+="$opt"$'\n'
    grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" "$root/completions/_dossier" || zsh_c+="$opt"$'\n'
done
check options-in-man-page "$man"
check options-in-bash-completion "$bash_c"
check options-in-zsh-completion "$zsh_c"
for cmd in validate convert aliases help; do
    grep -qE "^\.B(R)? $cmd" "$root/doc/dossier.1" || man+="command $cmd"$'\n'
    grep -q "$cmd" "$root/completions/dossier.bash" || bash_c+="command $cmd"$'\n'
done
check commands-in-man-page-and-completion "$man$bash_c"

# Guards: bash completion offers commands, options and option values.
complete_bash() { # WORDS...: what completing the last word offers
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dossier
             printf "%s\n" "${COMPREPLY[@]}"' _ "$root/completions/dossier.bash" "$@" | tr '\n' ' '
}
problems=""
for c in "dossier val|validate " "dossier validate --ref-|--ref-root " \
    "dossier convert --to |xml json jsonl csv " "dossier validate --report s|sarif " \
    "dossier aliases --f|--fuzzy " "dossier help al|aliases "; do
    read -ra words <<< "${c%|*}"
    [[ ${c%|*} == *" " ]] && words+=("")
    got=$(complete_bash "${words[@]}")
    [ "$got" = "${c#*|}" ] || problems+="'${c%|*}': got '$got', expected '${c#*|}'"$'\n'
done
check bash-completion-completes "$problems"

# Guards: zsh completion parses and completes commands, options and values
# (typed into an interactive zsh on a pseudo-terminal; when zsh is installed).
if command -v zsh > /dev/null; then
    check zsh-completion-parses "$(zsh -n "$root/completions/_dossier" 2>&1)"
    cat > complete.zsh << 'EOF_ZSH'
zmodload zsh/zpty
zpty z 'zsh -f -i'
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D; PS1='> '; dossier() { :; }"
for line pattern in 'dossier ' '*validate*check datasets*' 'dossier convert --to ' '*jsonl*' \
    'dossier validate --report ' '*sarif*' 'dossier aliases --' '*--explain*' \
    'dossier convert -' '*--output*'; do
    print -r "no $pattern after '$line'"
    zpty -w -n z "$line"$'\t'
    zpty -r z out "$pattern" || exit 1
    zpty -w -n z $'\C-u'
done
zpty -d z
print done
EOF_ZSH
    out=$(timeout 30 zsh -f complete.zsh "$root/completions" 2>&1)
    [ "${out##*$'\n'}" = done ] && out="" || out="${out##*$'\n'} (timed out)"
    check zsh-completion-completes "$out"
fi

# Guards: a usage error is exactly one "dossier: " line and one hint, exit 2.
printf '{}' > s.json
problems=""
while IFS= read -r args; do
    # shellcheck disable=SC2086
    "$DOSSIER" $args > out 2> err < /dev/null; rc=$?
    if [ "$rc" != 2 ] || [ "$(wc -l < err)" != 2 ] || [ "$(grep -c '^dossier: ' err)" != 1 ] ||
        ! head -1 err | grep -q '^dossier: ' || [ -s out ]; then
        problems+="dossier $args: exit $rc: $(cat err)"$'\n'
    fi
done << 'EOF_ARGS'

--bogus
valdate
validate --bogus x.json
validate --format nope x.json
validate
convert --to
convert --to xml
convert -q x.json
convert --to csv x.json
aliases --fuzzy=1
aliases --fuzy
validate --schema s.json --draft 99 x.json
validate --schema s.json --bogus x.json
validate --schema s.xsd --bogus x.xml
help a b
help bogus
EOF_ARGS
check usage-error-one-line-one-hint "$problems"

# Guards: suggestions come from the same tables as the help.
problems=""
for c in "valdate|did you mean 'validate'?" "convret --to xml|did you mean 'convert'?" \
    "validate --tabel x|did you mean '--table'?" \
    "validate --schema s.json --drat 7 x|did you mean '--draft'?" \
    "convert --outptu x|did you mean '--output'?" "--verison|did you mean '--version'?"; do
    # shellcheck disable=SC2086
    "$DOSSIER" ${c%|*} > /dev/null 2> err
    [ "$(sed -n 2p err)" = "${c#*|}" ] || problems+="dossier ${c%|*}: $(cat err)"$'\n'
done
check suggestions "$problems"
