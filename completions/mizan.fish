function __mizan_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __mizan_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __mizan_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __mizan_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __mizan_parse_tokens -S
    set -l unparsed_tokens (__mizan_tokens -pc)
    switch $unparsed_tokens[1]
    case 'mizan'
        __mizan_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'codegen'
            __mizan_parse_subcommand 0 'schema=' 'o/output=' 'templates=' 'adapter=+' 'check' 'print-context' 'diagnostics-output=' 'max-schema-size=' 'default-cache=' 'config=' 'version' 'h/help'
        case 'schema'
            __mizan_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'validate'
                __mizan_parse_subcommand 1 'diagnostics-output=' 'max-schema-size=' 'default-cache=' 'config=' 'version' 'h/help'
            case 'codes'
                __mizan_parse_subcommand 0 'version' 'h/help'
            end
        case 'dev'
            __mizan_parse_subcommand 0 'upstream=' 'port=' 'host=' 'store=' 'schema=' 'manifest=' 'log-format=' 'user-credential=+' 'session-cookie=' 'memory-megabytes=' 'threads=' 'diagnostics-output=' 'max-schema-size=' 'default-cache=' 'config=' 'version' 'h/help'
        case 'cache'
            __mizan_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'ls'
                __mizan_parse_subcommand 0 'client=' 'param=+' 'tag=' 'context=' 'limit=' 'json' 'table' 'store=' 'config=' 'version' 'h/help'
            case 'show'
                __mizan_parse_subcommand 1 'body' 'json' 'store=' 'config=' 'version' 'h/help'
            case 'purge'
                __mizan_parse_subcommand 0 'client=' 'param=+' 'tag=' 'context=' 'all' 'soft' 'dry-run' 'yes' 'json' 'store=' 'config=' 'version' 'h/help'
            case 'stats'
                __mizan_parse_subcommand 0 'json' 'store=' 'config=' 'version' 'h/help'
            end
        case 'deploy'
            __mizan_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'run'
                __mizan_parse_subcommand 0 'message=' 'dry-run' 'json' 'project=' 'env=' 'url=' 'config=' 'version' 'h/help'
            case 'ls'
                __mizan_parse_subcommand 0 'json' 'project=' 'env=' 'url=' 'config=' 'version' 'h/help'
            case 'rollback'
                __mizan_parse_subcommand 1 'project=' 'env=' 'url=' 'config=' 'version' 'h/help'
            end
        case 'config'
            __mizan_parse_subcommand 0 'config=' 'version' 'h/help'
        case 'help'
            __mizan_parse_subcommand -r 1 'version'
        end
    end
end

function __mizan_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __mizan_parse_subcommand -S -a positional_count
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

function __mizan_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __mizan_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__mizan_tokens -p)
    if test -z "$(__mizan_tokens -t)"
        set -l index (count (__mizan_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'mizan' -f
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'codegen' -d 'Generate the typed TypeScript kernel and the edge manifest from a schema-export.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'schema' -d 'Check schema-export files.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'dev' -d 'Run the local caching proxy in front of your backend (Mizan Render on one machine).'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'cache' -d 'List, inspect and purge cache entries in any store.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'deploy' -d 'Ship the edge manifest, render worker bundle and static assets to Mizan Render.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'config' -d 'Show the configuration in effect and where each value comes from.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" schema' -l 'schema' -d 'The schema-export JSON file (mizan.toml: codegen.schema).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" o output' -s 'o' -l 'output' -d 'The output folder (mizan.toml: codegen.output).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" templates' -l 'templates' -d 'A folder of templates overriding the built-in ones by name, e.g. kernel/types.ts.mustache.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen"' -l 'adapter' -d 'Framework adapters to generate over the kernel: react, vue, svelte; repeat or separate with commas (mizan.toml: codegen.adapters).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" check' -l 'check' -d 'Write nothing; list stale files and contract changes, and exit 1 when the output is out of date.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" print-context' -l 'print-context' -d 'Print the template contexts as JSON instead of generating (for template authors).'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" diagnostics-output' -l 'diagnostics-output' -d 'Also write every diagnostic to this JSON file, for editors and CI.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" max-schema-size' -l 'max-schema-size' -d 'Refuse schema files larger than this many bytes.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" default-cache' -l 'default-cache' -d 'OpenAPI input: cache GET operations that have no x-mizan-cache, publicly, for this many seconds (optionally TTL:STALE).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan codegen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan schema" -eq 1' -fa 'validate' -d 'Validate a schema-export and report every problem in one run.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan schema" -eq 1' -fa 'codes' -d 'List the diagnostic codes and what each means.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema validate" diagnostics-output' -l 'diagnostics-output' -d 'Also write every diagnostic to this JSON file, for editors and CI.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema validate" max-schema-size' -l 'max-schema-size' -d 'Refuse schema files larger than this many bytes.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema validate" default-cache' -l 'default-cache' -d 'OpenAPI input: cache GET operations that have no x-mizan-cache, publicly, for this many seconds (optionally TTL:STALE).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema validate" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema validate" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema codes" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan schema codes" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" upstream' -l 'upstream' -d 'The backend to forward to (mizan.toml: dev.upstream).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" port' -l 'port' -d 'The port to listen on (mizan.toml: dev.port; default 4000).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" host' -l 'host' -d 'The address to bind (mizan.toml: dev.host; default 127.0.0.1).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" store' -l 'store' -d 'memory, sqlite:PATH or redis://HOST:PORT/DB (mizan.toml: dev.store).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" schema' -l 'schema' -d 'Serve from this schema-export (or OpenAPI document), regenerating on change.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" manifest' -l 'manifest' -d 'Serve from this edge manifest, reloading on change (mizan.toml: dev.manifest).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" log-format' -l 'log-format' -d 'Request log format: text (colour on a terminal) or json (one object per line).' -rfka 'text json'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev"' -l 'user-credential' -d 'Where a user-context credential is read, first found wins (default: header:authorization, cookie:sessionid).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" session-cookie' -l 'session-cookie' -d 'The session cookie keying session-context entries (default: sessionid).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" memory-megabytes' -l 'memory-megabytes' -d 'Memory store size in megabytes.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" threads' -l 'threads' -d 'Event-loop threads serving connections and running the proxy (default: half the cores, at least 1).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" diagnostics-output' -l 'diagnostics-output' -d 'Also write every diagnostic to this JSON file, for editors and CI.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" max-schema-size' -l 'max-schema-size' -d 'Refuse schema files larger than this many bytes.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" default-cache' -l 'default-cache' -d 'OpenAPI input: cache GET operations that have no x-mizan-cache, publicly, for this many seconds (optionally TTL:STALE).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan dev" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan cache" -eq 1' -fa 'ls' -d 'List entries: client, params, context, status, size, age and freshness.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan cache" -eq 1' -fa 'show' -d 'Show one entry: metadata, headers and the start of its body.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan cache" -eq 1' -fa 'purge' -d 'Purge entries by client and params, by tag, or all; prints how many went.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan cache" -eq 1' -fa 'stats' -d 'Entries, bytes and per-client counts; hits and misses when the store is a running server.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" client' -l 'client' -d 'Only entries of this client.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls"' -l 'param' -d 'Narrow --client by a parameter value (repeatable), typed by the manifest.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" tag' -l 'tag' -d 'Only entries with this tag.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" context' -l 'context' -d 'Only entries of this context: public, user or session.' -rfka 'public user session'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" limit' -l 'limit' -d 'At most this many entries (default: all).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" json' -l 'json' -d 'Print a JSON array of metadata records.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" table' -l 'table' -d 'Print the aligned table even when not on a terminal.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" store' -l 'store' -d 'sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST (default: mizan.toml\'s dev.store).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache show" body' -l 'body' -d 'Print the whole body, as stored, and nothing else.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache show" json' -l 'json' -d 'Print the metadata record as JSON.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache show" store' -l 'store' -d 'sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST (default: mizan.toml\'s dev.store).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache show" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache show" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" client' -l 'client' -d 'Only entries of this client.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge"' -l 'param' -d 'Narrow --client by a parameter value (repeatable), typed by the manifest.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" tag' -l 'tag' -d 'Only entries with this tag.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" context' -l 'context' -d 'Only entries of this context: public, user or session.' -rfka 'public user session'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" all' -l 'all' -d 'Every entry.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" soft' -l 'soft' -d 'Mark stale instead of removing.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" dry-run' -l 'dry-run' -d 'Count what would be purged; purge nothing.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" yes' -l 'yes' -d 'Do not ask before --all.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" json' -l 'json' -d 'Print {"purged": N, "mode": …, "dry_run": …} as JSON.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" store' -l 'store' -d 'sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST (default: mizan.toml\'s dev.store).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache purge" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache stats" json' -l 'json' -d 'Print the numbers as JSON.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache stats" store' -l 'store' -d 'sqlite:PATH, redis://HOST:PORT/DB or http(s)://HOST (default: mizan.toml\'s dev.store).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache stats" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache stats" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan cache stats" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan deploy" -eq 1' -fa 'run' -d 'Deploy (the default): hash, upload what is missing, finalize, wait until live.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan deploy" -eq 1' -fa 'ls' -d 'List deployments, newest first.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_positional "mizan deploy" -eq 1' -fa 'rollback' -d 'Make an earlier deployment live again.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" message' -l 'message' -d 'A note kept with the deployment.' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" dry-run' -l 'dry-run' -d 'Show which files would upload and what changes in the manifest; change nothing.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" json' -l 'json' -d 'Print one JSON result object on stdout.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" project' -l 'project' -d 'The Render project (mizan.toml: render.project).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" env' -l 'env' -d 'production or preview (mizan.toml: render.env).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" url' -l 'url' -d 'The Render API (mizan.toml: render.url).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" json' -l 'json' -d 'Print the deployments as JSON.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" project' -l 'project' -d 'The Render project (mizan.toml: render.project).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" env' -l 'env' -d 'production or preview (mizan.toml: render.env).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" url' -l 'url' -d 'The Render API (mizan.toml: render.url).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy rollback" project' -l 'project' -d 'The Render project (mizan.toml: render.project).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy rollback" env' -l 'env' -d 'production or preview (mizan.toml: render.env).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy rollback" url' -l 'url' -d 'The Render API (mizan.toml: render.url).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy rollback" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy rollback" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan deploy rollback" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan config" config' -l 'config' -d 'The mizan.toml to use (default: the nearest one in this folder or above).' -rfka ''
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan config" version' -l 'version' -d 'Show the version.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'mizan' -n '__mizan_should_offer_completions_for_flags_or_options "mizan help" version' -l 'version' -d 'Show the version.'
