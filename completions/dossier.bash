# bash completion for dossier(1): commands, each command's options, and the
# values an option takes. tests/check_help.sh checks it knows every option
# that `dossier COMMAND --help` lists.
_dossier() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local cmd="" i opts
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            -*) ;;
            *) cmd=${COMP_WORDS[i]}; break ;;
        esac
    done
    case $prev in
        --format) COMPREPLY=($(compgen -W "xml json jsonl ndjson csv" -- "$cur")); return ;;
        --to) COMPREPLY=($(compgen -W "xml json jsonl csv" -- "$cur")); return ;;
        --table) COMPREPLY=($(compgen -W "entities designations events sources" -- "$cur")); return ;;
        --report) COMPREPLY=($(compgen -W "text json junit github sarif html" -- "$cur")); return ;;
        --draft) COMPREPLY=($(compgen -W "2020-12 2019-09 7 6 4" -- "$cur")); return ;;
        --from) COMPREPLY=($(compgen -W "ofac-csv ofac-xml" -- "$cur")); return ;;
        --ref-root | -j | --jobs) return ;;
        --schema | --xslt | --ref) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        -o | --output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    case $cmd in
        "") opts="validate convert aliases help --help -h --version" ;;
        validate) opts="--format --table --xslt --from --report --schema --draft --ref-root --ref
                        --format-assert --quiet -q --jobs -j --help -h" ;;
        convert) opts="--to -o --output --format --table --xslt --from --quiet -q --jobs -j --help -h" ;;
        aliases) opts="--fuzzy --explain --quiet -q --jobs -j --help -h" ;;
        help) opts="validate convert aliases help" ;;
    esac
    if [[ -z $cmd || $cmd == help || $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _dossier dossier
