function __asana-access_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __asana-access_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __asana-access_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __asana-access_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __asana-access_parse_tokens -S
    set -l unparsed_tokens (__asana-access_tokens -pc)
    switch $unparsed_tokens[1]
    case 'asana-access'
        __asana-access_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'ping'
            __asana-access_parse_subcommand 0 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'sync'
            __asana-access_parse_subcommand 0 'workspace=' 'progress' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'status'
            __asana-access_parse_subcommand 0 'workspace=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'list-users'
            __asana-access_parse_subcommand 0 'workspace=' 'active' 'inactive' 'admin' 'no-admin' 'guest' 'no-guest' 'flags-unknown' 'no-flags-unknown' 'team=' 'query=' 'include-departed' 'changed-since=' 'as-of=' 'fields=' 'limit=' 'cursor=' 'all' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'changes'
            __asana-access_parse_subcommand 0 'workspace=' 'since=' 'until=' 'person=' 'kind=+' 'limit=' 'cursor=' 'all' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'report'
            __asana-access_parse_subcommand 0 'workspace=' 'as-of=' 'format=' 'since=' 'output=' 'force' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'provision'
            __asana-access_parse_subcommand 0 'workspace=' 'email=' 'action=' 'team=+' 'dry-run' 'allow-guest' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'sync-runs'
            __asana-access_parse_subcommand 0 'workspace=' 'limit=' 'id=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'audit'
            __asana-access_parse_subcommand 0 'since=' 'principal=' 'method=' 'limit=' 'cursor=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'tokens'
            __asana-access_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __asana-access_parse_subcommand 0 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'create'
                __asana-access_parse_subcommand 0 'name=' 'role=' 'expires-in=' 'expires-at=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'revoke'
                __asana-access_parse_subcommand 0 'name=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            end
        case 'credentials'
            __asana-access_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'list'
                __asana-access_parse_subcommand 0 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'put'
                __asana-access_parse_subcommand 0 'workspace=' 'purpose=' 'kind=' 'secret-file=' 'force' 'no-check' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'test'
                __asana-access_parse_subcommand 0 'workspace=' 'purpose=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'delete'
                __asana-access_parse_subcommand 0 'workspace=' 'purpose=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            end
        case 'oauth'
            __asana-access_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'client-put'
                __asana-access_parse_subcommand 0 'client-id=' 'secret-file=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'client-list'
                __asana-access_parse_subcommand 0 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'client-delete'
                __asana-access_parse_subcommand 0 'client-id=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'start'
                __asana-access_parse_subcommand 0 'workspace=' 'client-id=' 'redirect-uri=' 'scope=+' 'purpose=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            case 'finish'
                __asana-access_parse_subcommand 0 'redirect-url=' 'state=' 'code=' 'force' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
            end
        case 'call'
            __asana-access_parse_subcommand 1 'params=' 'host=' 'port=' 'ca=' 'cert=' 'key=' 'server-name=' 'token-file=' 'json' 'version' 'h/help'
        case 'help'
            __asana-access_parse_subcommand -r 1 'version'
        end
    end
end

function __asana-access_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __asana-access_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __asana-access_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __asana-access_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__asana-access_tokens -p)
    if test -z "$(__asana-access_tokens -t)"
        set -l index (count (__asana-access_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'asana-access' -f
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'ping' -d 'Check that the server answers; show its version and who it takes you for.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'sync' -d 'Take a fresh snapshot of a workspace\'s people and teams from Asana.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'status' -d 'Show a workspace\'s credentials, last sync, next scheduled sync and capabilities.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'list-users' -d 'List the people of a workspace from its last sync, with filters.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'changes' -d 'List changes of people\'s access to a workspace between two moments (who joined, left, gained or lost rights), oldest first.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'report' -d 'Write the access review file of a workspace as of a moment: every person with every right, as CSV or JSON Lines.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'provision' -d 'Add a person to a workspace and teams, or remove them.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'sync-runs' -d 'List recent sync runs (newest first), or show one with --id.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'audit' -d 'List audit events, newest first: who changed what, when, with which outcome.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'tokens' -d 'List, create and revoke the server\'s API tokens (admin).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'credentials' -d 'List, store, test and delete the Asana credentials the server holds (admin).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'oauth' -d 'Authorize the server with Asana over OAuth (PKCE): store the app secret, start, finish.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'call' -d 'Call any method and print its result as JSON (pretty on a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access ping" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" workspace' -l 'workspace' -d 'Workspace: gid or exact name (as in Asana\'s admin console).' -rfka '(__asana-access_custom_completion ---completion sync -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" progress' -l 'progress' -d 'Print each phase of the sync to stderr as the server reports it (a wait on Asana\'s rate limit is printed also without it).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" workspace' -l 'workspace' -d 'Workspace: gid or exact name (as in Asana\'s admin console).' -rfka '(__asana-access_custom_completion ---completion status -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" workspace' -l 'workspace' -d 'Workspace: gid or exact name (as in Asana\'s admin console).' -rfka '(__asana-access_custom_completion ---completion list-users -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" active' -l 'active' -d 'Only people whose workspace membership is active.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" inactive' -l 'inactive' -d 'Only people whose workspace membership is inactive (unknown matches neither).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" admin' -l 'admin' -d 'Only workspace admins (--admin) or only non-admins (--no-admin).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" no-admin' -l 'no-admin' -d 'Only workspace admins (--admin) or only non-admins (--no-admin).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" guest' -l 'guest' -d 'Only guests (--guest) or only non-guests (--no-guest).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" no-guest' -l 'no-guest' -d 'Only guests (--guest) or only non-guests (--no-guest).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" flags-unknown' -l 'flags-unknown' -d 'Only people with an unknown membership flag, shown as ? (--flags-unknown), or only people whose flags are all known (--no-flags-unknown).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" no-flags-unknown' -l 'no-flags-unknown' -d 'Only people with an unknown membership flag, shown as ? (--flags-unknown), or only people whose flags are all known (--no-flags-unknown).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" team' -l 'team' -d 'Only members of this team (gid or exact name).' -rfka '(__asana-access_custom_completion ---completion list-users -- --team (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" query' -l 'query' -d 'Only people whose name or email contains this text (case-insensitive).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" include-departed' -l 'include-departed' -d 'Also list people who have left the workspace (they show a DEPARTED date).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" changed-since' -l 'changed-since' -d 'Only people added, updated or departed after this moment (a sync run id, an ISO 8601 date-time or date (UTC), or a span ago: 30m, 12h, 7d, 2w); departed people included.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" as-of' -l 'as-of' -d 'The people as of this moment instead of the last sync (a sync run id, an ISO 8601 date-time or date (UTC), or a span ago: 30m, 12h, 7d, 2w; a date means the end of that day).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" fields' -l 'fields' -d 'Only these members of each person, comma-separated (gid is always included), e.g. email,isAdmin,teams.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" limit' -l 'limit' -d 'Page size, 1...1000 (server default when absent; 1000 with --all).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" cursor' -l 'cursor' -d 'Start after this cursor (the nextCursor of an earlier page).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" all' -l 'all' -d 'Follow nextCursor until the last page and print everything.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access list-users" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" workspace' -l 'workspace' -d 'Workspace: gid or exact name.' -rfka '(__asana-access_custom_completion ---completion changes -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" since' -l 'since' -d 'From this moment (a sync run id, an ISO 8601 date-time or date (UTC), or a span ago: 30m, 12h, 7d, 2w); a run id means after that run, a date from its start.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" until' -l 'until' -d 'Up to this moment (same forms); a run id includes that run\'s changes, a date its whole day. Default: now.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" person' -l 'person' -d 'Only this person\'s changes: user gid or email.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes"' -l 'kind' -d 'Only changes of this kind; repeat for several.' -rfka 'joined left returned activated deactivated adminGranted adminRevoked becameGuest becameMember viewOnlyOn viewOnlyOff renamed emailChanged teamJoined teamLeft teamRightsChanged flagsBecameKnown flagsBecameUnknown'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" limit' -l 'limit' -d 'Changes per page, 1 to 1000 (default 100; 1000 with --all).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" cursor' -l 'cursor' -d 'Continue from this cursor (printed after the previous page).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" all' -l 'all' -d 'Follow nextCursor until the last page and print everything.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access changes" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" workspace' -l 'workspace' -d 'Workspace: gid or exact name.' -rfka '(__asana-access_custom_completion ---completion report -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" as-of' -l 'as-of' -d 'As of this moment (a sync run id, an ISO 8601 date-time or date (UTC), or a span ago: 30m, 12h, 7d, 2w; a date means the end of that day). Default: now.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" format' -l 'format' -d 'csv (RFC 4180, UTF-8, one row per person and team), jsonl (one person per line) or html (a page with a summary, a chart over time, the period\'s changes and every right).' -rfka 'csv jsonl html'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" since' -l 'since' -d 'html: the period whose changes the page lists starts here (same forms as --as-of; a date from its start). Default: 90 days before --as-of.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" output' -l 'output' -d 'Write the file here (mode 0600) instead of stdout.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" force' -l 'force' -d 'With --output: replace an existing file.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access report" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" workspace' -l 'workspace' -d 'Workspace: gid or exact name (as in Asana\'s admin console).' -rfka '(__asana-access_custom_completion ---completion provision -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" email' -l 'email' -d 'The person\'s email address.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" action' -l 'action' -d 'What to do.' -rfka 'add remove'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision"' -l 'team' -d 'A team (gid or exact name); repeat for several. With remove: only these teams.' -rfka '(__asana-access_custom_completion ---completion provision -- --team (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" dry-run' -l 'dry-run' -d 'Show what would be done and the exact Asana calls, changing nothing.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" allow-guest' -l 'allow-guest' -d 'Allow adding an email outside the organization\'s email domains (the person joins as a guest).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access provision" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" workspace' -l 'workspace' -d 'Only runs of this workspace (gid or exact name).' -rfka '(__asana-access_custom_completion ---completion sync-runs -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" limit' -l 'limit' -d 'How many runs, 1 to 1000 (default 50).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" id' -l 'id' -d 'Show only the run with this id.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access sync-runs" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" since' -l 'since' -d 'Only events at or after this ISO 8601 time (e.g. 2026-01-31T09:00:00Z).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" principal' -l 'principal' -d 'Only events of this principal, e.g. token:ci or cert:dev-admin.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" method' -l 'method' -d 'Only events of this method, e.g. provision.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" limit' -l 'limit' -d 'Events per page, 1 to 1000 (default 100).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" cursor' -l 'cursor' -d 'Continue from this cursor (printed after the previous page).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access audit" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access tokens" -eq 1' -fa 'list' -d 'List API tokens: names, roles, dates (never the token text).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access tokens" -eq 1' -fa 'create' -d 'Create an API token; its text is printed once, on stdout.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access tokens" -eq 1' -fa 'revoke' -d 'Revoke an API token by name.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" name' -l 'name' -d 'Unique name, 1 to 64 of A-Z a-z 0-9 . _ -' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" role' -l 'role' -d 'What the token may do.' -rfka 'reader operator admin'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" expires-in' -l 'expires-in' -d 'Lifetime: Nd, Nh or Nm (days, hours, minutes), e.g. 90d.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" expires-at' -l 'expires-at' -d 'Expiry as an ISO 8601 time, e.g. 2027-01-31T00:00:00Z.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" name' -l 'name' -d 'The token\'s name.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access tokens revoke" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access credentials" -eq 1' -fa 'list' -d 'List stored credentials (fingerprints, never secrets).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access credentials" -eq 1' -fa 'put' -d 'Check an Asana token against Asana, then store it for a workspace and purpose (read from stdin or --secret-file).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access credentials" -eq 1' -fa 'test' -d 'Check a stored credential against Asana, reading only: token, workspace, admin rights, each read a sync needs.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access credentials" -eq 1' -fa 'delete' -d 'Delete a stored credential (an OAuth grant is revoked at Asana first).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" workspace' -l 'workspace' -d 'Workspace: gid or exact name (resolved with the token itself).' -rfka '(__asana-access_custom_completion ---completion credentials put -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" purpose' -l 'purpose' -d 'sync (read people and teams) or provision (an admin\'s token, to add and remove people).' -rfka 'provision sync'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" kind' -l 'kind' -d 'The kind of token.' -rfka 'pat oauth'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" secret-file' -l 'secret-file' -d 'Read the token from this file instead of stdin.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" force' -l 'force' -d 'Store a provision token even though its user is not an admin of the workspace (other failed checks still refuse).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" no-check' -l 'no-check' -d 'Store without the server asking Asana (when Asana is unreachable from the server); --workspace must be a gid.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials put" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" workspace' -l 'workspace' -d 'Workspace: gid or exact name.' -rfka '(__asana-access_custom_completion ---completion credentials test -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" purpose' -l 'purpose' -d 'Which stored credential.' -rfka 'provision sync'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials test" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" workspace' -l 'workspace' -d 'Workspace: gid or exact name.' -rfka '(__asana-access_custom_completion ---completion credentials delete -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" purpose' -l 'purpose' -d 'Which stored credential.' -rfka 'provision sync'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access credentials delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access oauth" -eq 1' -fa 'client-put' -d 'Store an OAuth app\'s client secret on the server (read from stdin or --secret-file).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access oauth" -eq 1' -fa 'client-list' -d 'List the OAuth apps whose client secret the server keeps (fingerprints only).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access oauth" -eq 1' -fa 'client-delete' -d 'Delete an OAuth app\'s stored secret; credentials it issued can no longer be refreshed.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access oauth" -eq 1' -fa 'start' -d 'Print Asana\'s authorize URL; open it in a browser, approve, then run `oauth finish`.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access oauth" -eq 1' -fa 'finish' -d 'Exchange the code from Asana\'s redirect; the server seals the tokens as the workspace\'s credential.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" client-id' -l 'client-id' -d 'The app\'s client id from Asana\'s developer console.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" secret-file' -l 'secret-file' -d 'Read the client secret from this file instead of stdin.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-put" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" client-id' -l 'client-id' -d 'The app\'s client id.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth client-delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" workspace' -l 'workspace' -d 'Workspace: gid or exact name (checked with the granted token at finish).' -rfka '(__asana-access_custom_completion ---completion oauth start -- --workspace (count (__asana-access_tokens -pc)) (__asana-access_tokens -tC))'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" client-id' -l 'client-id' -d 'The app\'s client id (its secret stored with `oauth client-put`).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" redirect-uri' -l 'redirect-uri' -d 'Redirect URI exactly as registered for the app: https, loopback http, or urn:ietf:wg:oauth:2.0:oob.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start"' -l 'scope' -d 'A scope to ask for; repeat for several (default: see above).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" purpose' -l 'purpose' -d 'What the credential is for.' -rfka 'sync provision'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth start" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" redirect-url' -l 'redirect-url' -d 'The whole URL Asana redirected the browser to (holds code and state).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" state' -l 'state' -d 'The state printed by `oauth start` (with --code, instead of --redirect-url).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" code' -l 'code' -d 'The code from the redirect (with --state, instead of --redirect-url).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" force' -l 'force' -d 'Store a provision credential even though its user is not an admin of the workspace (other failed checks still refuse).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access oauth finish" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_positional "asana-access call" -eq 1' -fka 'authenticate createToken deleteCredential deleteOAuthClient exportAccessReview getSyncRun getWorkspaceStatus listAccessChanges listAuditEvents listCredentials listOAuthClients listSyncRuns listTokens listUsers oauthFinish oauthStart ping provision putCredential putOAuthClient revokeToken rpc.discover sync testCredential'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" params' -l 'params' -d 'The params: a JSON object (params are by name); `null` or absent sends none. Parsed as strictly as the server does.' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" host' -l 'host' -d 'Server host name or IP address (env ASANA_ACCESS_HOST, default 127.0.0.1).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" port' -l 'port' -d 'Server TCP port (env ASANA_ACCESS_PORT, default 7443).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" ca' -l 'ca' -d 'PEM file of the CA that signed the server certificate (env ASANA_ACCESS_CA; default: the system trust store).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" cert' -l 'cert' -d 'PEM file of the client certificate, for mutual TLS (env ASANA_ACCESS_CERT).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" key' -l 'key' -d 'PEM file of the client certificate\'s private key (env ASANA_ACCESS_KEY).' -rfa '(for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.\'pem\';printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" server-name' -l 'server-name' -d 'Name to check the server certificate against and send as SNI (default: --host when it is a name).' -rfka ''
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" token-file' -l 'token-file' -d 'File holding an API token to authenticate with (env ASANA_ACCESS_TOKEN holds the token itself). Never pass a token on the command line.' -rF
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" json' -l 'json' -d 'Print the result as one line of JSON with sorted keys (the default when stdout is not a terminal).'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" version' -l 'version' -d 'Show the version.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access call" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'asana-access' -n '__asana-access_should_offer_completions_for_flags_or_options "asana-access help" version' -l 'version' -d 'Show the version.'
