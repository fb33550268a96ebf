#!/bin/bash

__asana-access_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__asana-access_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__asana-access_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__asana-access_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_asana-access() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __asana-access_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    ping|sync|status|list-users|changes|report|provision|sync-runs|audit|tokens|credentials|oauth|call|help)
        # Offer subcommand argument completions
        "_asana-access_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'ping sync status list-users changes report provision sync-runs audit tokens credentials oauth call help' -- "${cur}"))
        ;;
    esac
}

_asana-access_ping() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_sync() {
    repeating_flags=()
    non_repeating_flags=(--progress --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion sync -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_status() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion status -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_list-users() {
    repeating_flags=()
    non_repeating_flags=(--active --inactive --admin --no-admin --guest --no-guest --flags-unknown --no-flags-unknown --include-departed --all --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --team --query --changed-since --as-of --fields --limit --cursor --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion list-users -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--team')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion list-users -- --team "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--query')
        return
        ;;
    '--changed-since')
        return
        ;;
    '--as-of')
        return
        ;;
    '--fields')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_changes() {
    repeating_flags=()
    non_repeating_flags=(--all --json --version -h --help)
    repeating_options=(--kind)
    non_repeating_options=(--workspace --since --until --person --limit --cursor --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion changes -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--since')
        return
        ;;
    '--until')
        return
        ;;
    '--person')
        return
        ;;
    '--kind')
        __asana-access_add_completions -W 'joined'$'\n''left'$'\n''returned'$'\n''activated'$'\n''deactivated'$'\n''adminGranted'$'\n''adminRevoked'$'\n''becameGuest'$'\n''becameMember'$'\n''viewOnlyOn'$'\n''viewOnlyOff'$'\n''renamed'$'\n''emailChanged'$'\n''teamJoined'$'\n''teamLeft'$'\n''teamRightsChanged'$'\n''flagsBecameKnown'$'\n''flagsBecameUnknown'
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_report() {
    repeating_flags=()
    non_repeating_flags=(--force --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --as-of --format --since --output --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion report -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--as-of')
        return
        ;;
    '--format')
        __asana-access_add_completions -W 'csv'$'\n''jsonl'$'\n''html'
        return
        ;;
    '--since')
        return
        ;;
    '--output')
        __asana-access_add_completions -f
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_provision() {
    repeating_flags=()
    non_repeating_flags=(--dry-run --allow-guest --json --version -h --help)
    repeating_options=(--team)
    non_repeating_options=(--workspace --email --action --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion provision -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--email')
        return
        ;;
    '--action')
        __asana-access_add_completions -W 'add'$'\n''remove'
        return
        ;;
    '--team')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion provision -- --team "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_sync-runs() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --limit --id --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion sync-runs -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--limit')
        return
        ;;
    '--id')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_audit() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--since --principal --method --limit --cursor --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--since')
        return
        ;;
    '--principal')
        return
        ;;
    '--method')
        return
        ;;
    '--limit')
        return
        ;;
    '--cursor')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_tokens() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __asana-access_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|create|revoke)
        # Offer subcommand argument completions
        "_asana-access_tokens_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list create revoke' -- "${cur}"))
        ;;
    esac
}

_asana-access_tokens_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_tokens_create() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--name --role --expires-in --expires-at --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--role')
        __asana-access_add_completions -W 'reader'$'\n''operator'$'\n''admin'
        return
        ;;
    '--expires-in')
        return
        ;;
    '--expires-at')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_tokens_revoke() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--name --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--name')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_credentials() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __asana-access_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|put|test|delete)
        # Offer subcommand argument completions
        "_asana-access_credentials_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list put test delete' -- "${cur}"))
        ;;
    esac
}

_asana-access_credentials_list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_credentials_put() {
    repeating_flags=()
    non_repeating_flags=(--force --no-check --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --purpose --kind --secret-file --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion credentials put -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--purpose')
        __asana-access_add_completions -W 'provision'$'\n''sync'
        return
        ;;
    '--kind')
        __asana-access_add_completions -W 'pat'$'\n''oauth'
        return
        ;;
    '--secret-file')
        __asana-access_add_completions -f
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_credentials_test() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --purpose --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion credentials test -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--purpose')
        __asana-access_add_completions -W 'provision'$'\n''sync'
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_credentials_delete() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--workspace --purpose --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion credentials delete -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--purpose')
        __asana-access_add_completions -W 'provision'$'\n''sync'
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_oauth() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __asana-access_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    client-put|client-list|client-delete|start|finish)
        # Offer subcommand argument completions
        "_asana-access_oauth_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'client-put client-list client-delete start finish' -- "${cur}"))
        ;;
    esac
}

_asana-access_oauth_client-put() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--client-id --secret-file --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--client-id')
        return
        ;;
    '--secret-file')
        __asana-access_add_completions -f
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_oauth_client-list() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_oauth_client-delete() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--client-id --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--client-id')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_oauth_start() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=(--scope)
    non_repeating_options=(--workspace --client-id --redirect-uri --purpose --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--workspace')
        __asana-access_add_completions -W "$(__asana-access_custom_complete ---completion oauth start -- --workspace "${COMP_CWORD}" "$(__asana-access_cursor_index_in_current_word)")"
        return
        ;;
    '--client-id')
        return
        ;;
    '--redirect-uri')
        return
        ;;
    '--scope')
        return
        ;;
    '--purpose')
        __asana-access_add_completions -W 'sync'$'\n''provision'
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_oauth_finish() {
    repeating_flags=()
    non_repeating_flags=(--force --json --version -h --help)
    repeating_options=()
    non_repeating_options=(--redirect-url --state --code --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--redirect-url')
        return
        ;;
    '--state')
        return
        ;;
    '--code')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac
}

_asana-access_call() {
    repeating_flags=()
    non_repeating_flags=(--json --version -h --help)
    repeating_options=()
    non_repeating_options=(--params --host --port --ca --cert --key --server-name --token-file)
    __asana-access_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--params')
        return
        ;;
    '--host')
        return
        ;;
    '--port')
        return
        ;;
    '--ca')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--cert')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--key')
        __asana-access_add_completions -o plusdirs -fX '!*.@(pem)'
        return
        ;;
    '--server-name')
        return
        ;;
    '--token-file')
        __asana-access_add_completions -f
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __asana-access_add_completions -W 'authenticate'$'\n''createToken'$'\n''deleteCredential'$'\n''deleteOAuthClient'$'\n''exportAccessReview'$'\n''getSyncRun'$'\n''getWorkspaceStatus'$'\n''listAccessChanges'$'\n''listAuditEvents'$'\n''listCredentials'$'\n''listOAuthClients'$'\n''listSyncRuns'$'\n''listTokens'$'\n''listUsers'$'\n''oauthFinish'$'\n''oauthStart'$'\n''ping'$'\n''provision'$'\n''putCredential'$'\n''putOAuthClient'$'\n''revokeToken'$'\n''rpc.discover'$'\n''sync'$'\n''testCredential'
        return
        ;;
    esac
}

_asana-access_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __asana-access_offer_flags_options -1
}

complete -o filenames -F _asana-access asana-access
