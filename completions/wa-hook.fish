# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_wa_hook_global_optspecs
    string join \n color= h/help V/version
end

function __fish_wa_hook_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_wa_hook_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_wa_hook_using_subcommand
    set -l cmd (__fish_wa_hook_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c wa-hook -n "__fish_wa_hook_needs_command" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "listen" -d 'Capture webhooks: acknowledge, save, detect, validate, show and forward every request'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "replay" -d 'Send built-in samples, files or captured requests to a URL and report what came back'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "validate" -d 'Check bodies against the providers\' documented shapes (JSON Schemas shipped with wa-hook)'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "samples" -d 'List the built-in sample payloads, or print one'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "schemas" -d 'List the JSON Schemas wa-hook validates with, print one, or export them all'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "partner" -d 'Read or set the webhook URL through 99 Digital\'s partner API'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "doctor" -d 'Test your webhook endpoint the way the provider will, and say why a check fails'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "sign" -d 'Print the X-Hub-Signature-256 header Meta would send for a body'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "verify" -d 'Check an X-Hub-Signature-256 header against a body, and explain a mismatch'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "inspect" -d 'Serve the inspector over capture files: a page in the browser to see, filter, follow and replay captured webhooks'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "show" -d 'Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "emulate" -d 'Run a provider\'s send API on this machine: answer the app\'s sends as the provider does, then send the webhooks that follow; play the customer'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "completions" -d 'Print a shell completion script or the man page'
complete -c wa-hook -n "__fish_wa_hook_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l host -d 'Address to bind; use 0.0.0.0 to accept requests from other machines' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -s p -l port -d 'Port to listen on; 0 picks a free one (the URL is printed on the first line; with --format json as {"listening": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -s o -l out -d 'Capture file (JSON Lines, appended); `-` writes the records to stdout' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l max-body -d 'Largest body accepted; larger ones are answered 413 and recorded without their body' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l reply -d 'Answer with this Picky Assist instant-reply body (a sample name or a JSON file); checked at start-up' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l status -d 'HTTP status to acknowledge with [default: 200]; a status outside 2xx answers `{"ok":false}` (--reply\'s body, when given, is answered as it is)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l delay -d 'Wait this long before acknowledging (e.g. 500ms, 3s), to rehearse a slow endpoint' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l basic-auth -d 'Require HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l basic-auth-env -d 'Require HTTP Basic auth, reading USER:PASS from this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l app-secret-env -d 'Check X-Hub-Signature-256 on every POST with the Meta app secret in this environment variable (the inspector\'s "Replay edited" re-signs with it too)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l verify-token-env -d 'Answer Meta\'s verification handshake with the verify token in this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l events -d 'Show and forward only these kinds (e.g. message:text,status; a prefix matches), providers (qikchat), verdicts (invalid), rejected, or Meta\'s webhook field names (account_alerts); all are saved. A word that matches nothing is refused' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l forward-to -d 'Forward every request to your app (a URL, or a local port: 3000, 3000/webhook, :3000) and relay its answer' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l budget -d 'Warn when the forward target takes longer than this [default: the provider\'s own limit, else 2s — the rule replay follows too]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l forward-timeout -d 'Give up on the app after this long and answer 504 [default: the budget, at most 10s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l max-connections -d 'Connections open at once; one more is answered 503 at once [default: 512, fewer when the open-file limit (ulimit -n) is lower]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l read-timeout -d 'Longest wait for a request\'s head, for more of its body, or on an idle keep-alive connection (a whole body gets 3 times it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l threads -d 'Worker threads answering requests [default: one per core, at least 2; 32 with --delay, whose requests each hold a worker while they wait (a forwarded request waits for the app on a thread of its own, up to 256 at once, then 503)]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l tunnel -d 'Give the listener a public URL through a tunnel client on PATH: cloudflared (no account), ngrok, or ssh:HOST (e.g. ssh:nokey@localhost.run); its URL is printed on the second line, with where each provider takes it' -r -f -a "cloudflared\t'Cloudflare quick tunnel, no account'
ngrok\t'ngrok (authtoken configured)'
ssh:\t'an SSH tunnel service: ssh:nokey@localhost.run, ssh:serveo.net'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l register -d 'With --tunnel: point this provider\'s webhook at the public URL while listen runs and put the previous URL back when it stops (partner: 99 Digital\'s partner API, with the token `wa-hook partner` uses)' -r -f -a "partner\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l api-base -d 'The partner API\'s base URL, for --register partner' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l ui-port -d 'The inspector\'s port on 127.0.0.1 (never the webhook port, never through the tunnel); 0 picks a free one. Its URL is printed after the listen URL (with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l format -d 'text: one line per request; json: the capture records as JSON lines' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l no-save -d 'Do not save captures at all'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l keep-secrets -d 'Keep Authorization and other secret-bearing headers in the capture file'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l fsync -d 'Wait until each record is on the disk (fdatasync) before answering: survives a power loss, at a cost per request'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l strict -d 'Also report properties the documentation does not name'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l reject-bad-signature -d 'Answer 401 to a request whose signature does not match (needs --app-secret-env)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l dry-run -d 'With --register: print the API calls a real run makes, and make none'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -l no-ui -d 'Do not serve the inspector (the page in the browser over this run\'s captures)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand listen" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s t -l to -d 'Target: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook) for http://127.0.0.1:PORT' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s c -l concurrency -d 'Requests in flight at once' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s n -l repeat -d 'Send every input this many times' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l rate -d 'Send at most this many requests per second (e.g. 50 or 50/s)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l timeout -d 'Give up on a request after this long' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s H -l header -d 'Extra header on every request, `Name: value` (repeatable)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l basic-auth -d 'Send HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l basic-auth-env -d 'Send HTTP Basic auth, reading USER:PASS from this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l app-secret-env -d 'Sign every body with the Meta app secret in this environment variable (X-Hub-Signature-256)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l verify-token-env -d 'The verify token for --handshake, from this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l set -d 'Edit the payload before sending: PATH=VALUE, PATH dotted (a.b.0.c) or a JSON pointer; VALUE JSON or a string' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l expect-status -d 'Status codes that count as success: 2xx, 200, 200-299, or a list (200,204)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l budget -d 'Count responses slower than this [default: the provider\'s own limit (Qikchat 2s, Picky Assist 3m), else 2s] — the rule listen --forward-to follows too' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l batch -d 'Merge every N inputs into one notification, as Meta batches them: one entry per account, messages (and statuses) of one number in one value' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l identity -d 'Rewrite Meta messages and statuses so users are named by phone number only (phone), phone number and business-scoped user id (bsuid), or user id and username, no phone number (username)' -r -f -a "phone\t''
bsuid\t''
username\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l format -d 'text: lines and a summary; json: the summary (and with -v every result) as JSON' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l insecure -d 'Accept invalid TLS certificates (self-signed HTTPS targets)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l fresh -d 'Give every send new message ids and current timestamps, in the fields the provider uses'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l sequence -d 'For a status sample: send one message\'s statuses in order (sent, delivered, read; or sent, failed for a failed sample)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l picky-query -d 'Send Picky Assist samples the deprecated way, as query parameters'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l raw-bytes -d 'Send each file\'s (and sample\'s) bytes exactly as they are, instead of as the provider writes them on the wire (compact; Meta escapes non-ASCII and /)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -l handshake -d 'Send Meta\'s verification handshake (GET) instead of bodies and check the challenge comes back'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s v -l verbose -d 'Show every result, also with many requests (and include them in --format json)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s y -l yes -d 'Do not ask for confirmation in interactive mode'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -l provider -d 'Validate as this provider instead of detecting it' -r -f -a "meta\t'Meta WhatsApp Cloud API'
qikchat\t'Qikchat'
smartflow\t'Omni Smartflow'
picky\t'Picky Assist'
partner\t'99 Digital partner API'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -l schema -d 'Validate against this schema (see `wa-hook schemas`) instead of detecting it' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -l max-body -d 'Largest body checked; a larger one is reported and not read (exit 2)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -l format -d 'text: a line per body; json: one JSON object per body, then a summary object' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -l strict -d 'Also report properties the documentation does not name'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -s q -l quiet -d 'Print only bodies that are not valid (and the summary)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand validate" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -l format -d 'text: a table; json: one object per sample' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'List the samples (the default)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'Print one sample\'s body exactly as wa-hook sends it'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from list" -l format -d 'text: a table; json: one object per sample' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from list" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from show" -l format -d 'text: a table; json: one object per sample' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the samples (the default)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print one sample\'s body exactly as wa-hook sends it'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -l format -d 'text: a table; json: one object per schema' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -f -a "list" -d 'List the schemas (the default)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -f -a "show" -d 'Print one schema'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -f -a "export" -d 'Write every schema as DIR/<id>.json'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and not __fish_seen_subcommand_from list show export help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from list" -l format -d 'text: a table; json: one object per schema' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from list" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from show" -l format -d 'text: a table; json: one object per schema' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from show" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from show" -l strict -d 'Print the --strict variant (undocumented properties not allowed)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from export" -l format -d 'text: a table; json: one object per schema' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from export" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from export" -l strict -d 'Export the --strict variants'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the schemas (the default)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print one schema'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write every schema as DIR/<id>.json'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand schemas; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -l api-base -d 'The partner API\'s base URL' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -l timeout -d 'Give up on a request after this long' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -l format -d 'text: a sentence; json: the API\'s JSON response as it came (the token redacted unless --print)' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -l token-stdin -d 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -f -a "token" -d 'Get an access token (valid one hour) and save it for the other partner commands'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -f -a "set-url" -d 'Set the webhook URL the partner API calls'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -f -a "get-url" -d 'Print the webhook URL that is set now'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and not __fish_seen_subcommand_from token set-url get-url help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l client-id -d 'Your partner client id' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l api-base -d 'The partner API\'s base URL' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l timeout -d 'Give up on a request after this long' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l format -d 'text: a sentence; json: the API\'s JSON response as it came (the token redacted unless --print)' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l client-secret-stdin -d 'Read the client secret from standard input (else WA_HOOK_CLIENT_SECRET, else a prompt)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l print -d 'Also write the token to standard output, for scripts (nothing else prints it)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -l token-stdin -d 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from token" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -l api-base -d 'The partner API\'s base URL' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -l timeout -d 'Give up on a request after this long' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -l format -d 'text: a sentence; json: the API\'s JSON response as it came (the token redacted unless --print)' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -s y -l yes -d 'Do not show the URL set now nor ask to confirm; required without a terminal'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -l dry-run -d 'Print the request that would be sent (token redacted) and send nothing'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -l token-stdin -d 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from set-url" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -l api-base -d 'The partner API\'s base URL' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -l timeout -d 'Give up on a request after this long' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -l format -d 'text: a sentence; json: the API\'s JSON response as it came (the token redacted unless --print)' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -l token-stdin -d 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from get-url" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from help" -f -a "token" -d 'Get an access token (valid one hour) and save it for the other partner commands'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from help" -f -a "set-url" -d 'Set the webhook URL the partner API calls'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from help" -f -a "get-url" -d 'Print the webhook URL that is set now'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand partner; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l provider -d 'The provider whose traffic to send' -r -f -a "meta\t'Meta WhatsApp Cloud API'
qikchat\t'Qikchat'
smartflow\t'Omni Smartflow'
picky\t'Picky Assist'
partner\t'99 Digital partner API'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l basic-auth-env -d 'Qikchat: send HTTP Basic auth, reading USER:PASS from this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l app-secret-env -d 'Meta: sign bodies with the app secret in this environment variable, as Meta does' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l verify-token-env -d 'Meta: the verify token your app expects, from this environment variable (for handshake)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l timeout -d 'Give up on a request after this long' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -s H -l header -d 'Extra header on every request, `Name: value` (repeatable)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l budget -d 'How fast every answer must come [default: the provider\'s own limit (Qikchat 2s, Picky Assist 3m), else 2s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l only -d 'Run only these checks (comma-separated names; see the list below)' -r -f -a "handshake\t''
handshake-wrong-token\t''
signed-post\t''
wrong-signature\t''
unsigned-post\t''
basic-auth-missing\t''
basic-auth-wrong\t''
query-method\t''
instant-reply\t''
kinds\t''
identities\t''
batched\t''
duplicate\t''
out-of-order\t''
unknown-kind\t''
extra-property\t''
large-body\t''
burst\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l skip -d 'Leave out these checks' -r -f -a "handshake\t''
handshake-wrong-token\t''
signed-post\t''
wrong-signature\t''
unsigned-post\t''
basic-auth-missing\t''
basic-auth-wrong\t''
query-method\t''
instant-reply\t''
kinds\t''
identities\t''
batched\t''
duplicate\t''
out-of-order\t''
unknown-kind\t''
extra-property\t''
large-body\t''
burst\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l junit -d 'Also write the results as JUnit XML to this file (one test case per check), for CI' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l format -d 'text: a checklist; json: one object per check, then a summary object' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l start-timeout -d 'With `-- CMD`: how long the app may take to answer at its webhook URL after it starts' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -l insecure -d 'Accept invalid TLS certificates (self-signed HTTPS targets)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -s v -l verbose -d 'With `-- CMD`: show the app\'s output as it comes (secrets scrubbed)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand sign" -l app-secret-env -d 'Read the app secret from this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand sign" -l app-secret-file -d 'Read the app secret from this file (surrounding whitespace is ignored)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand sign" -l format -d 'text: the header line; json: {"header", "signature"}' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand sign" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand sign" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -l app-secret-env -d 'Read the app secret from this environment variable' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -l app-secret-file -d 'Read the app secret from this file (surrounding whitespace is ignored)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -l signature -d 'The X-Hub-Signature-256 value received, e.g. sha256=4f2c...' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -l format -d 'text: a verdict and its likely cause; json: {"valid", "cause"}' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand verify" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -s p -l port -d 'Port on 127.0.0.1; 0 picks a free one (the URL is the first line printed; with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -l replay-to -d 'Where the replay button sends by default: a URL or a local port (3000/webhook)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -l timeout -d 'How long a replay may take' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -l app-secret-env -d '"Replay edited" re-signs an edited Meta body (X-Hub-Signature-256) with the app secret in this environment variable, over the bytes Meta would send' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -l format -d 'text: the URL; json: {"inspector": URL}' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand show" -l format -d 'text: readable; json: the capture record as one line' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand show" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand show" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -s h -l help -d 'Print help'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "meta" -d 'Meta\'s WhatsApp Cloud API: /messages, /media and the status webhooks that follow'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "qikchat" -d 'Qikchat: /v1/messages and the status callbacks that follow'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "picky" -d 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "99digital" -d '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "smartflow" -d 'Omni Smartflow: no public send API; the customer\'s messages and the status callbacks'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "say" -d 'The test customer sends the app a message, through a running emulator'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "react" -d 'The test customer reacts to a message the app sent: a reaction message webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "read" -d 'The test customer reads a message the app sent: a `read` status webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "fail" -d 'A message the app sent fails later: a `failed` status webhook with the error code'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "test" -d 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "record" -d 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and not __fish_seen_subcommand_from meta qikchat picky 99digital smartflow say react read fail test record help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l webhook -d 'The app\'s webhook URL (a URL, host:port/path or a port): status and message webhooks go there' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l app-secret-env -d 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l token-env -d 'The one API credential accepted (Meta\'s bearer token, Qikchat\'s API key, Picky Assist\'s token, 99 Digital\'s apiKey), from this environment variable [default: any non-empty one]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l events-webhook -d 'Where the provider\'s second callback URL points (Picky Assist\'s event webhook, Omni Smartflow\'s status callbacks) [default: --webhook]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l basic-auth-env -d 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l verify-token-env -d 'Verify the app\'s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable\'s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l host -d 'Address to bind' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -s p -l port -d 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -s o -l out -d 'Capture file (JSON Lines, appended, the file listen writes): the app\'s sends with the answers, and the webhooks with the app\'s answers, each marked with its `direction`. The default file being written by another run (listen\'s), this run saves nothing and says so' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l ui-port -d 'The inspector\'s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l statuses -d 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l templates -d 'Meta: the app\'s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l window -d 'The customer-service window: a non-template send more than this after the customer\'s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l throughput -d 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l pair-interval -d 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l inject -d 'Fail message sends with one of the provider\'s documented codes (Meta\'s error codes, 99 Digital\'s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send\'s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l seed -d 'Draw every id (message ids, media ids, Meta\'s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l chaos -d 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send\'s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l retries -d 'Send a webhook the app did not answer 2xx again, on the provider\'s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook\'s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l webhook-timeout -d 'How long a webhook waits for the app\'s answer; a later answer counts as none, as the provider counts it [default: the provider\'s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l read-timeout -d 'Longest wait for a request\'s head or more of its body (a whole body gets 3 times it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l max-body -d 'Largest request body read (media uploads included); larger ones are answered 413' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l format -d 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l no-save -d 'Do not save the records at all (and serve no inspector, which reads them)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -l no-ui -d 'Do not serve the inspector (the page in the browser over this run\'s records, with the chat: the conversation as WhatsApp shows it, and the customer\'s controls)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from meta" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l webhook -d 'The app\'s webhook URL (a URL, host:port/path or a port): status and message webhooks go there' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l app-secret-env -d 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l token-env -d 'The one API credential accepted (Meta\'s bearer token, Qikchat\'s API key, Picky Assist\'s token, 99 Digital\'s apiKey), from this environment variable [default: any non-empty one]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l events-webhook -d 'Where the provider\'s second callback URL points (Picky Assist\'s event webhook, Omni Smartflow\'s status callbacks) [default: --webhook]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l basic-auth-env -d 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l verify-token-env -d 'Verify the app\'s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable\'s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l host -d 'Address to bind' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -s p -l port -d 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -s o -l out -d 'Capture file (JSON Lines, appended, the file listen writes): the app\'s sends with the answers, and the webhooks with the app\'s answers, each marked with its `direction`. The default file being written by another run (listen\'s), this run saves nothing and says so' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l ui-port -d 'The inspector\'s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l statuses -d 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l templates -d 'Meta: the app\'s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l window -d 'The customer-service window: a non-template send more than this after the customer\'s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l throughput -d 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l pair-interval -d 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l inject -d 'Fail message sends with one of the provider\'s documented codes (Meta\'s error codes, 99 Digital\'s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send\'s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l seed -d 'Draw every id (message ids, media ids, Meta\'s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l chaos -d 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send\'s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l retries -d 'Send a webhook the app did not answer 2xx again, on the provider\'s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook\'s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l webhook-timeout -d 'How long a webhook waits for the app\'s answer; a later answer counts as none, as the provider counts it [default: the provider\'s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l read-timeout -d 'Longest wait for a request\'s head or more of its body (a whole body gets 3 times it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l max-body -d 'Largest request body read (media uploads included); larger ones are answered 413' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l format -d 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l no-save -d 'Do not save the records at all (and serve no inspector, which reads them)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -l no-ui -d 'Do not serve the inspector (the page in the browser over this run\'s records, with the chat: the conversation as WhatsApp shows it, and the customer\'s controls)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from qikchat" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l webhook -d 'The app\'s webhook URL (a URL, host:port/path or a port): status and message webhooks go there' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l app-secret-env -d 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l token-env -d 'The one API credential accepted (Meta\'s bearer token, Qikchat\'s API key, Picky Assist\'s token, 99 Digital\'s apiKey), from this environment variable [default: any non-empty one]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l events-webhook -d 'Where the provider\'s second callback URL points (Picky Assist\'s event webhook, Omni Smartflow\'s status callbacks) [default: --webhook]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l basic-auth-env -d 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l verify-token-env -d 'Verify the app\'s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable\'s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l host -d 'Address to bind' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -s p -l port -d 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -s o -l out -d 'Capture file (JSON Lines, appended, the file listen writes): the app\'s sends with the answers, and the webhooks with the app\'s answers, each marked with its `direction`. The default file being written by another run (listen\'s), this run saves nothing and says so' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l ui-port -d 'The inspector\'s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l statuses -d 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l templates -d 'Meta: the app\'s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l window -d 'The customer-service window: a non-template send more than this after the customer\'s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l throughput -d 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l pair-interval -d 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l inject -d 'Fail message sends with one of the provider\'s documented codes (Meta\'s error codes, 99 Digital\'s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send\'s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l seed -d 'Draw every id (message ids, media ids, Meta\'s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l chaos -d 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send\'s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l retries -d 'Send a webhook the app did not answer 2xx again, on the provider\'s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook\'s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l webhook-timeout -d 'How long a webhook waits for the app\'s answer; a later answer counts as none, as the provider counts it [default: the provider\'s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l read-timeout -d 'Longest wait for a request\'s head or more of its body (a whole body gets 3 times it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l max-body -d 'Largest request body read (media uploads included); larger ones are answered 413' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l format -d 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l no-save -d 'Do not save the records at all (and serve no inspector, which reads them)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -l no-ui -d 'Do not serve the inspector (the page in the browser over this run\'s records, with the chat: the conversation as WhatsApp shows it, and the customer\'s controls)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from picky" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l webhook -d 'The app\'s webhook URL (a URL, host:port/path or a port): status and message webhooks go there' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l app-secret-env -d 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l token-env -d 'The one API credential accepted (Meta\'s bearer token, Qikchat\'s API key, Picky Assist\'s token, 99 Digital\'s apiKey), from this environment variable [default: any non-empty one]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l events-webhook -d 'Where the provider\'s second callback URL points (Picky Assist\'s event webhook, Omni Smartflow\'s status callbacks) [default: --webhook]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l basic-auth-env -d 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l verify-token-env -d 'Verify the app\'s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable\'s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l host -d 'Address to bind' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -s p -l port -d 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -s o -l out -d 'Capture file (JSON Lines, appended, the file listen writes): the app\'s sends with the answers, and the webhooks with the app\'s answers, each marked with its `direction`. The default file being written by another run (listen\'s), this run saves nothing and says so' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l ui-port -d 'The inspector\'s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l statuses -d 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l templates -d 'Meta: the app\'s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l window -d 'The customer-service window: a non-template send more than this after the customer\'s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l throughput -d 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l pair-interval -d 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l inject -d 'Fail message sends with one of the provider\'s documented codes (Meta\'s error codes, 99 Digital\'s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send\'s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l seed -d 'Draw every id (message ids, media ids, Meta\'s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l chaos -d 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send\'s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l retries -d 'Send a webhook the app did not answer 2xx again, on the provider\'s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook\'s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l webhook-timeout -d 'How long a webhook waits for the app\'s answer; a later answer counts as none, as the provider counts it [default: the provider\'s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l read-timeout -d 'Longest wait for a request\'s head or more of its body (a whole body gets 3 times it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l max-body -d 'Largest request body read (media uploads included); larger ones are answered 413' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l format -d 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l no-save -d 'Do not save the records at all (and serve no inspector, which reads them)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -l no-ui -d 'Do not serve the inspector (the page in the browser over this run\'s records, with the chat: the conversation as WhatsApp shows it, and the customer\'s controls)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from 99digital" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l webhook -d 'The app\'s webhook URL (a URL, host:port/path or a port): status and message webhooks go there' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l app-secret-env -d 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l token-env -d 'The one API credential accepted (Meta\'s bearer token, Qikchat\'s API key, Picky Assist\'s token, 99 Digital\'s apiKey), from this environment variable [default: any non-empty one]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l events-webhook -d 'Where the provider\'s second callback URL points (Picky Assist\'s event webhook, Omni Smartflow\'s status callbacks) [default: --webhook]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l basic-auth-env -d 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l verify-token-env -d 'Verify the app\'s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable\'s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l host -d 'Address to bind' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -s p -l port -d 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -s o -l out -d 'Capture file (JSON Lines, appended, the file listen writes): the app\'s sends with the answers, and the webhooks with the app\'s answers, each marked with its `direction`. The default file being written by another run (listen\'s), this run saves nothing and says so' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l ui-port -d 'The inspector\'s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l statuses -d 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l templates -d 'Meta: the app\'s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l window -d 'The customer-service window: a non-template send more than this after the customer\'s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l throughput -d 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l pair-interval -d 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l inject -d 'Fail message sends with one of the provider\'s documented codes (Meta\'s error codes, 99 Digital\'s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send\'s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l seed -d 'Draw every id (message ids, media ids, Meta\'s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l chaos -d 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send\'s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l retries -d 'Send a webhook the app did not answer 2xx again, on the provider\'s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook\'s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l webhook-timeout -d 'How long a webhook waits for the app\'s answer; a later answer counts as none, as the provider counts it [default: the provider\'s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l read-timeout -d 'Longest wait for a request\'s head or more of its body (a whole body gets 3 times it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l max-body -d 'Largest request body read (media uploads included); larger ones are answered 413' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l format -d 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l no-save -d 'Do not save the records at all (and serve no inspector, which reads them)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -l no-ui -d 'Do not serve the inspector (the page in the browser over this run\'s records, with the chat: the conversation as WhatsApp shows it, and the customer\'s controls)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from smartflow" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -l emulator -d 'The emulator\'s base URL, as it printed it (`http://127.0.0.1:PORT`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -l format -d 'text: a line; json: the emulator\'s answer' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -l kind -d 'Send a message like the provider\'s sample of this kind instead (`message:image`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -l identity -d 'Name the customer this way: phone (wa_id), bsuid (phone and business-scoped user id) or username (no phone number) [default: phone]' -r -f -a "phone\t''
bsuid\t''
username\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from say" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from react" -l emulator -d 'The emulator\'s base URL, as it printed it (`http://127.0.0.1:PORT`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from react" -l format -d 'text: a line; json: the emulator\'s answer' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from react" -l emoji -d 'The reaction' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from react" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from react" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from react" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from read" -l emulator -d 'The emulator\'s base URL, as it printed it (`http://127.0.0.1:PORT`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from read" -l format -d 'text: a line; json: the emulator\'s answer' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from read" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from fail" -l emulator -d 'The emulator\'s base URL, as it printed it (`http://127.0.0.1:PORT`)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from fail" -l format -d 'text: a line; json: the emulator\'s answer' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from fail" -l code -d 'The error code of the failure (131047: outside the 24-hour window; 131026: undeliverable)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from fail" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from fail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from fail" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l provider -d 'The provider whose emulator plays the conversations [default: each file\'s `provider`]' -r -f -a "meta\t'Meta WhatsApp Cloud API'
qikchat\t'Qikchat'
smartflow\t'Omni Smartflow'
picky\t'Picky Assist'
partner\t'99 Digital partner API'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l webhook -l app -d 'The app\'s webhook URL (a URL, host:port/path or a port) [default: each file\'s `webhook`]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l events-webhook -d 'Where the provider\'s second callback URL points (Picky Assist\'s event webhook, Omni Smartflow\'s status callbacks) [default: each file\'s `events_webhook`, else --webhook]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -s p -l port -d 'The emulator\'s port; 0 picks a free one (give one when the app is already running and its API base is set to it)' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l app-secret-env -d 'The emulator signs every webhook with the Meta app secret from this environment variable (the app is started with the same environment) [default: unsigned]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l token-env -d 'The one bearer token the emulator accepts, from this environment variable [default: any non-empty token]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l junit -d 'Also write the results as JUnit XML to this file (a test suite per file, a test case per step), for CI' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l format -d 'text: a line per step; json: one object per step, then a summary per file' -r -f -a "text\t'Human-readable lines'
json\t'Machine-readable JSON (one object per line where there are many)'"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l start-timeout -d 'With `-- CMD`: how long the app may take to answer at its webhook URL after it starts' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -s v -l verbose -d 'With `-- CMD`: show the app\'s output as it comes (secrets scrubbed)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from record" -s o -l out -d 'Write the conversation here [default: standard output]' -r -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from record" -l name -d 'The conversation\'s name [default: the capture file\'s name]' -r
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from record" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from record" -s h -l help -d 'Print help'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from record" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "meta" -d 'Meta\'s WhatsApp Cloud API: /messages, /media and the status webhooks that follow'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "qikchat" -d 'Qikchat: /v1/messages and the status callbacks that follow'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "picky" -d 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "99digital" -d '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "smartflow" -d 'Omni Smartflow: no public send API; the customer\'s messages and the status callbacks'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "say" -d 'The test customer sends the app a message, through a running emulator'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "react" -d 'The test customer reacts to a message the app sent: a reaction message webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "read" -d 'The test customer reads a message the app sent: a `read` status webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "fail" -d 'A message the app sent fails later: a `failed` status webhook with the error code'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "test" -d 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "record" -d 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand emulate; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand completions" -l color -d 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand completions" -s V -l version -d 'Print version'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "listen" -d 'Capture webhooks: acknowledge, save, detect, validate, show and forward every request'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "replay" -d 'Send built-in samples, files or captured requests to a URL and report what came back'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "validate" -d 'Check bodies against the providers\' documented shapes (JSON Schemas shipped with wa-hook)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "samples" -d 'List the built-in sample payloads, or print one'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "schemas" -d 'List the JSON Schemas wa-hook validates with, print one, or export them all'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "partner" -d 'Read or set the webhook URL through 99 Digital\'s partner API'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "doctor" -d 'Test your webhook endpoint the way the provider will, and say why a check fails'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "sign" -d 'Print the X-Hub-Signature-256 header Meta would send for a body'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "verify" -d 'Check an X-Hub-Signature-256 header against a body, and explain a mismatch'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "inspect" -d 'Serve the inspector over capture files: a page in the browser to see, filter, follow and replay captured webhooks'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "show" -d 'Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "emulate" -d 'Run a provider\'s send API on this machine: answer the app\'s sends as the provider does, then send the webhooks that follow; play the customer'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "completions" -d 'Print a shell completion script or the man page'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and not __fish_seen_subcommand_from listen replay validate samples schemas partner doctor sign verify inspect show emulate completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from samples" -f -a "list" -d 'List the samples (the default)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from samples" -f -a "show" -d 'Print one sample\'s body exactly as wa-hook sends it'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from schemas" -f -a "list" -d 'List the schemas (the default)'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from schemas" -f -a "show" -d 'Print one schema'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from schemas" -f -a "export" -d 'Write every schema as DIR/<id>.json'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from partner" -f -a "token" -d 'Get an access token (valid one hour) and save it for the other partner commands'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from partner" -f -a "set-url" -d 'Set the webhook URL the partner API calls'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from partner" -f -a "get-url" -d 'Print the webhook URL that is set now'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "meta" -d 'Meta\'s WhatsApp Cloud API: /messages, /media and the status webhooks that follow'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "qikchat" -d 'Qikchat: /v1/messages and the status callbacks that follow'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "picky" -d 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "99digital" -d '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "smartflow" -d 'Omni Smartflow: no public send API; the customer\'s messages and the status callbacks'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "say" -d 'The test customer sends the app a message, through a running emulator'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "react" -d 'The test customer reacts to a message the app sent: a reaction message webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "read" -d 'The test customer reads a message the app sent: a `read` status webhook'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "fail" -d 'A message the app sent fails later: a `failed` status webhook with the error code'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "test" -d 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand help; and __fish_seen_subcommand_from emulate" -f -a "record" -d 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting'
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -f -a "all meta/account-alert meta/account-review-approved meta/account-update-disabled meta/account-update-restriction meta/account-update-violation meta/app-state-sync meta/automatic-event-purchase meta/business-capability-update meta/business-status-update meta/business-username-update meta/call-connect meta/call-status-ringing meta/call-terminate meta/echo-text meta/error-rate-limit meta/flows-endpoint-error-rate meta/flows-status-change meta/group-lifecycle-create meta/group-participants-join meta/group-settings-update meta/group-status-update meta/history-sharing-declined meta/history-sync meta/message-audio-voice meta/message-button meta/message-button-reply meta/message-call-permission-reply meta/message-contacts meta/message-flow-reply meta/message-group-text meta/message-image meta/message-interactive-undelivered meta/message-list-reply meta/message-location meta/message-reaction meta/message-request-welcome meta/message-system-user-id-changed meta/message-text meta/message-text-phone-and-user-id meta/message-text-user-id meta/message-unsupported meta/payment-configuration-update meta/phone-name-approved meta/phone-quality-flagged meta/phone-quality-throughput-upgrade meta/phone-quality-upgrade meta/security-pin-changed meta/status-delivered meta/status-delivered-user-id meta/status-failed meta/status-played meta/status-read meta/status-read-group meta/status-sent meta/template-category-update meta/template-components-update meta/template-quality-yellow meta/template-status-approved meta/template-status-paused meta/template-status-rejected meta/user-id-update meta/user-preferences-stop qikchat/message-image qikchat/message-text qikchat/status-delivered qikchat/status-failed qikchat/status-read qikchat/status-sent smartflow/error-media-download smartflow/message-audio smartflow/message-contacts smartflow/message-document smartflow/message-image smartflow/message-location smartflow/message-text smartflow/message-video smartflow/status-delivered smartflow/status-failed smartflow/status-read smartflow/status-sent picky/event-delivery-report picky/event-delivery-report-failed picky/message-button-reply picky/message-contacts picky/message-list-reply picky/message-location picky/message-referral picky/message-text picky/message-text-media picky/reply-contacts picky/reply-location picky/reply-media picky/reply-media-query-method picky/reply-text picky/reply-text-query-method partner/access-token-response partner/event-builder partner/event-online partner/event-whatsapp partner/get-webhook-response partner/set-webhook-fail partner/set-webhook-response"
complete -c wa-hook -n "__fish_wa_hook_using_subcommand replay" -F
complete -c wa-hook -n "__fish_wa_hook_using_subcommand samples; and __fish_seen_subcommand_from show" -f -a "meta/account-alert meta/account-review-approved meta/account-update-disabled meta/account-update-restriction meta/account-update-violation meta/app-state-sync meta/automatic-event-purchase meta/business-capability-update meta/business-status-update meta/business-username-update meta/call-connect meta/call-status-ringing meta/call-terminate meta/echo-text meta/error-rate-limit meta/flows-endpoint-error-rate meta/flows-status-change meta/group-lifecycle-create meta/group-participants-join meta/group-settings-update meta/group-status-update meta/history-sharing-declined meta/history-sync meta/message-audio-voice meta/message-button meta/message-button-reply meta/message-call-permission-reply meta/message-contacts meta/message-flow-reply meta/message-group-text meta/message-image meta/message-interactive-undelivered meta/message-list-reply meta/message-location meta/message-reaction meta/message-request-welcome meta/message-system-user-id-changed meta/message-text meta/message-text-phone-and-user-id meta/message-text-user-id meta/message-unsupported meta/payment-configuration-update meta/phone-name-approved meta/phone-quality-flagged meta/phone-quality-throughput-upgrade meta/phone-quality-upgrade meta/security-pin-changed meta/status-delivered meta/status-delivered-user-id meta/status-failed meta/status-played meta/status-read meta/status-read-group meta/status-sent meta/template-category-update meta/template-components-update meta/template-quality-yellow meta/template-status-approved meta/template-status-paused meta/template-status-rejected meta/user-id-update meta/user-preferences-stop qikchat/message-image qikchat/message-text qikchat/status-delivered qikchat/status-failed qikchat/status-read qikchat/status-sent smartflow/error-media-download smartflow/message-audio smartflow/message-contacts smartflow/message-document smartflow/message-image smartflow/message-location smartflow/message-text smartflow/message-video smartflow/status-delivered smartflow/status-failed smartflow/status-read smartflow/status-sent picky/event-delivery-report picky/event-delivery-report-failed picky/message-button-reply picky/message-contacts picky/message-list-reply picky/message-location picky/message-referral picky/message-text picky/message-text-media picky/reply-contacts picky/reply-location picky/reply-media picky/reply-media-query-method picky/reply-text picky/reply-text-query-method partner/access-token-response partner/event-builder partner/event-online partner/event-whatsapp partner/get-webhook-response partner/set-webhook-fail partner/set-webhook-response"
