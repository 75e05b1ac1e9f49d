
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'wa-hook' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'wa-hook'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'wa-hook' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Capture webhooks: acknowledge, save, detect, validate, show and forward every request')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send built-in samples, files or captured requests to a URL and report what came back')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check bodies against the providers'' documented shapes (JSON Schemas shipped with wa-hook)')
            [CompletionResult]::new('samples', 'samples', [CompletionResultType]::ParameterValue, 'List the built-in sample payloads, or print one')
            [CompletionResult]::new('schemas', 'schemas', [CompletionResultType]::ParameterValue, 'List the JSON Schemas wa-hook validates with, print one, or export them all')
            [CompletionResult]::new('partner', 'partner', [CompletionResultType]::ParameterValue, 'Read or set the webhook URL through 99 Digital''s partner API')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Test your webhook endpoint the way the provider will, and say why a check fails')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the X-Hub-Signature-256 header Meta would send for a body')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an X-Hub-Signature-256 header against a body, and explain a mismatch')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Serve the inspector over capture files: a page in the browser to see, filter, follow and replay captured webhooks')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)')
            [CompletionResult]::new('emulate', 'emulate', [CompletionResultType]::ParameterValue, 'Run a provider''s send API on this machine: answer the app''s sends as the provider does, then send the webhooks that follow; play the customer')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script or the man page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;listen' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind; use 0.0.0.0 to accept requests from other machines')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the URL is printed on the first line; with --format json as {"listening": URL})')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the URL is printed on the first line; with --format json as {"listening": URL})')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended); `-` writes the records to stdout')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended); `-` writes the records to stdout')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest body accepted; larger ones are answered 413 and recorded without their body')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'Answer with this Picky Assist instant-reply body (a sample name or a JSON file); checked at start-up')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'HTTP status to acknowledge with [default: 200]; a status outside 2xx answers `{"ok":false}` (--reply''s body, when given, is answered as it is)')
            [CompletionResult]::new('--delay', '--delay', [CompletionResultType]::ParameterName, 'Wait this long before acknowledging (e.g. 500ms, 3s), to rehearse a slow endpoint')
            [CompletionResult]::new('--basic-auth', '--basic-auth', [CompletionResultType]::ParameterName, 'Require HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Require HTTP Basic auth, reading USER:PASS from this environment variable')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Check X-Hub-Signature-256 on every POST with the Meta app secret in this environment variable (the inspector''s "Replay edited" re-signs with it too)')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Answer Meta''s verification handshake with the verify token in this environment variable')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Show and forward only these kinds (e.g. message:text,status; a prefix matches), providers (qikchat), verdicts (invalid), rejected, or Meta''s webhook field names (account_alerts); all are saved. A word that matches nothing is refused')
            [CompletionResult]::new('--forward-to', '--forward-to', [CompletionResultType]::ParameterName, 'Forward every request to your app (a URL, or a local port: 3000, 3000/webhook, :3000) and relay its answer')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'Warn when the forward target takes longer than this [default: the provider''s own limit, else 2s — the rule replay follows too]')
            [CompletionResult]::new('--forward-timeout', '--forward-timeout', [CompletionResultType]::ParameterName, 'Give up on the app after this long and answer 504 [default: the budget, at most 10s]')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Connections open at once; one more is answered 503 at once [default: 512, fewer when the open-file limit (ulimit -n) is lower]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Longest wait for a request''s head, for more of its body, or on an idle keep-alive connection (a whole body gets 3 times it)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads answering requests [default: one per core, at least 2; 32 with --delay, whose requests each hold a worker while they wait (a forwarded request waits for the app on a thread of its own, up to 256 at once, then 503)]')
            [CompletionResult]::new('--tunnel', '--tunnel', [CompletionResultType]::ParameterName, 'Give the listener a public URL through a tunnel client on PATH: cloudflared (no account), ngrok, or ssh:HOST (e.g. ssh:nokey@localhost.run); its URL is printed on the second line, with where each provider takes it')
            [CompletionResult]::new('--register', '--register', [CompletionResultType]::ParameterName, 'With --tunnel: point this provider''s webhook at the public URL while listen runs and put the previous URL back when it stops (partner: 99 Digital''s partner API, with the token `wa-hook partner` uses)')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'The partner API''s base URL, for --register partner')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port on 127.0.0.1 (never the webhook port, never through the tunnel); 0 picks a free one. Its URL is printed after the listen URL (with --format json as {"inspector": URL})')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: one line per request; json: the capture records as JSON lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save captures at all')
            [CompletionResult]::new('--keep-secrets', '--keep-secrets', [CompletionResultType]::ParameterName, 'Keep Authorization and other secret-bearing headers in the capture file')
            [CompletionResult]::new('--fsync', '--fsync', [CompletionResultType]::ParameterName, 'Wait until each record is on the disk (fdatasync) before answering: survives a power loss, at a cost per request')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report properties the documentation does not name')
            [CompletionResult]::new('--reject-bad-signature', '--reject-bad-signature', [CompletionResultType]::ParameterName, 'Answer 401 to a request whose signature does not match (needs --app-secret-env)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --register: print the API calls a real run makes, and make none')
            [CompletionResult]::new('--no-ui', '--no-ui', [CompletionResultType]::ParameterName, 'Do not serve the inspector (the page in the browser over this run''s captures)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;replay' {
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Target: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook) for http://127.0.0.1:PORT')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Target: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook) for http://127.0.0.1:PORT')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Send every input this many times')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'Send every input this many times')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Send at most this many requests per second (e.g. 50 or 50/s)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header on every request, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header on every request, `Name: value` (repeatable)')
            [CompletionResult]::new('--basic-auth', '--basic-auth', [CompletionResultType]::ParameterName, 'Send HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Send HTTP Basic auth, reading USER:PASS from this environment variable')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Sign every body with the Meta app secret in this environment variable (X-Hub-Signature-256)')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'The verify token for --handshake, from this environment variable')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Edit the payload before sending: PATH=VALUE, PATH dotted (a.b.0.c) or a JSON pointer; VALUE JSON or a string')
            [CompletionResult]::new('--expect-status', '--expect-status', [CompletionResultType]::ParameterName, 'Status codes that count as success: 2xx, 200, 200-299, or a list (200,204)')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'Count responses slower than this [default: the provider''s own limit (Qikchat 2s, Picky Assist 3m), else 2s] — the rule listen --forward-to follows too')
            [CompletionResult]::new('--batch', '--batch', [CompletionResultType]::ParameterName, 'Merge every N inputs into one notification, as Meta batches them: one entry per account, messages (and statuses) of one number in one value')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Rewrite Meta messages and statuses so users are named by phone number only (phone), phone number and business-scoped user id (bsuid), or user id and username, no phone number (username)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: lines and a summary; json: the summary (and with -v every result) as JSON')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept invalid TLS certificates (self-signed HTTPS targets)')
            [CompletionResult]::new('--fresh', '--fresh', [CompletionResultType]::ParameterName, 'Give every send new message ids and current timestamps, in the fields the provider uses')
            [CompletionResult]::new('--sequence', '--sequence', [CompletionResultType]::ParameterName, 'For a status sample: send one message''s statuses in order (sent, delivered, read; or sent, failed for a failed sample)')
            [CompletionResult]::new('--picky-query', '--picky-query', [CompletionResultType]::ParameterName, 'Send Picky Assist samples the deprecated way, as query parameters')
            [CompletionResult]::new('--raw-bytes', '--raw-bytes', [CompletionResultType]::ParameterName, 'Send each file''s (and sample''s) bytes exactly as they are, instead of as the provider writes them on the wire (compact; Meta escapes non-ASCII and /)')
            [CompletionResult]::new('--handshake', '--handshake', [CompletionResultType]::ParameterName, 'Send Meta''s verification handshake (GET) instead of bodies and check the challenge comes back')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show every result, also with many requests (and include them in --format json)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show every result, also with many requests (and include them in --format json)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation in interactive mode')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation in interactive mode')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;validate' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'Validate as this provider instead of detecting it')
            [CompletionResult]::new('--schema', '--schema', [CompletionResultType]::ParameterName, 'Validate against this schema (see `wa-hook schemas`) instead of detecting it')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest body checked; a larger one is reported and not read (exit 2)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a line per body; json: one JSON object per body, then a summary object')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report properties the documentation does not name')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only bodies that are not valid (and the summary)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only bodies that are not valid (and the summary)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;samples' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per sample')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the samples (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one sample''s body exactly as wa-hook sends it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;samples;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per sample')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;samples;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per sample')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;samples;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the samples (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one sample''s body exactly as wa-hook sends it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;samples;help;list' {
            break
        }
        'wa-hook;samples;help;show' {
            break
        }
        'wa-hook;samples;help;help' {
            break
        }
        'wa-hook;schemas' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per schema')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schemas (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one schema')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every schema as DIR/<id>.json')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;schemas;list' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per schema')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;schemas;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per schema')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Print the --strict variant (undocumented properties not allowed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;schemas;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a table; json: one object per schema')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Export the --strict variants')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;schemas;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schemas (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one schema')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every schema as DIR/<id>.json')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;schemas;help;list' {
            break
        }
        'wa-hook;schemas;help;show' {
            break
        }
        'wa-hook;schemas;help;export' {
            break
        }
        'wa-hook;schemas;help;help' {
            break
        }
        'wa-hook;partner' {
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'The partner API''s base URL')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Get an access token (valid one hour) and save it for the other partner commands')
            [CompletionResult]::new('set-url', 'set-url', [CompletionResultType]::ParameterValue, 'Set the webhook URL the partner API calls')
            [CompletionResult]::new('get-url', 'get-url', [CompletionResultType]::ParameterValue, 'Print the webhook URL that is set now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;partner;token' {
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Your partner client id')
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'The partner API''s base URL')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--client-secret-stdin', '--client-secret-stdin', [CompletionResultType]::ParameterName, 'Read the client secret from standard input (else WA_HOOK_CLIENT_SECRET, else a prompt)')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Also write the token to standard output, for scripts (nothing else prints it)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;partner;set-url' {
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'The partner API''s base URL')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not show the URL set now nor ask to confirm; required without a terminal')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not show the URL set now nor ask to confirm; required without a terminal')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (token redacted) and send nothing')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;partner;get-url' {
            [CompletionResult]::new('--api-base', '--api-base', [CompletionResultType]::ParameterName, 'The partner API''s base URL')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;partner;help' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Get an access token (valid one hour) and save it for the other partner commands')
            [CompletionResult]::new('set-url', 'set-url', [CompletionResultType]::ParameterValue, 'Set the webhook URL the partner API calls')
            [CompletionResult]::new('get-url', 'get-url', [CompletionResultType]::ParameterValue, 'Print the webhook URL that is set now')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;partner;help;token' {
            break
        }
        'wa-hook;partner;help;set-url' {
            break
        }
        'wa-hook;partner;help;get-url' {
            break
        }
        'wa-hook;partner;help;help' {
            break
        }
        'wa-hook;doctor' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'The provider whose traffic to send')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Qikchat: send HTTP Basic auth, reading USER:PASS from this environment variable')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Meta: sign bodies with the app secret in this environment variable, as Meta does')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Meta: the verify token your app expects, from this environment variable (for handshake)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up on a request after this long')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header on every request, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header on every request, `Name: value` (repeatable)')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'How fast every answer must come [default: the provider''s own limit (Qikchat 2s, Picky Assist 3m), else 2s]')
            [CompletionResult]::new('--only', '--only', [CompletionResultType]::ParameterName, 'Run only these checks (comma-separated names; see the list below)')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Leave out these checks')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Also write the results as JUnit XML to this file (one test case per check), for CI')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a checklist; json: one object per check, then a summary object')
            [CompletionResult]::new('--start-timeout', '--start-timeout', [CompletionResultType]::ParameterName, 'With `-- CMD`: how long the app may take to answer at its webhook URL after it starts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Accept invalid TLS certificates (self-signed HTTPS targets)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;sign' {
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Read the app secret from this environment variable')
            [CompletionResult]::new('--app-secret-file', '--app-secret-file', [CompletionResultType]::ParameterName, 'Read the app secret from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the header line; json: {"header", "signature"}')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;verify' {
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Read the app secret from this environment variable')
            [CompletionResult]::new('--app-secret-file', '--app-secret-file', [CompletionResultType]::ParameterName, 'Read the app secret from this file (surrounding whitespace is ignored)')
            [CompletionResult]::new('--signature', '--signature', [CompletionResultType]::ParameterName, 'The X-Hub-Signature-256 value received, e.g. sha256=4f2c...')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a verdict and its likely cause; json: {"valid", "cause"}')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;inspect' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1; 0 picks a free one (the URL is the first line printed; with --format json as {"inspector": URL})')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1; 0 picks a free one (the URL is the first line printed; with --format json as {"inspector": URL})')
            [CompletionResult]::new('--replay-to', '--replay-to', [CompletionResultType]::ParameterName, 'Where the replay button sends by default: a URL or a local port (3000/webhook)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long a replay may take')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, '"Replay edited" re-signs an edited Meta body (X-Hub-Signature-256) with the app secret in this environment variable, over the bytes Meta would send')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the URL; json: {"inspector": URL}')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: readable; json: the capture record as one line')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('meta', 'meta', [CompletionResultType]::ParameterValue, 'Meta''s WhatsApp Cloud API: /messages, /media and the status webhooks that follow')
            [CompletionResult]::new('qikchat', 'qikchat', [CompletionResultType]::ParameterValue, 'Qikchat: /v1/messages and the status callbacks that follow')
            [CompletionResult]::new('picky', 'picky', [CompletionResultType]::ParameterValue, 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook')
            [CompletionResult]::new('99digital', '99digital', [CompletionResultType]::ParameterValue, '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events')
            [CompletionResult]::new('smartflow', 'smartflow', [CompletionResultType]::ParameterValue, 'Omni Smartflow: no public send API; the customer''s messages and the status callbacks')
            [CompletionResult]::new('say', 'say', [CompletionResultType]::ParameterValue, 'The test customer sends the app a message, through a running emulator')
            [CompletionResult]::new('react', 'react', [CompletionResultType]::ParameterValue, 'The test customer reacts to a message the app sent: a reaction message webhook')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'The test customer reads a message the app sent: a `read` status webhook')
            [CompletionResult]::new('fail', 'fail', [CompletionResultType]::ParameterValue, 'A message the app sent fails later: a `failed` status webhook with the error code')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;emulate;meta' {
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]')
            [CompletionResult]::new('--events-webhook', '--events-webhook', [CompletionResultType]::ParameterName, 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})')
            [CompletionResult]::new('--statuses', '--statuses', [CompletionResultType]::ParameterName, 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests')
            [CompletionResult]::new('--throughput', '--throughput', [CompletionResultType]::ParameterName, 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]')
            [CompletionResult]::new('--pair-interval', '--pair-interval', [CompletionResultType]::ParameterName, 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]')
            [CompletionResult]::new('--inject', '--inject', [CompletionResultType]::ParameterName, 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]')
            [CompletionResult]::new('--chaos', '--chaos', [CompletionResultType]::ParameterName, 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]')
            [CompletionResult]::new('--webhook-timeout', '--webhook-timeout', [CompletionResultType]::ParameterName, 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body read (media uploads included); larger ones are answered 413')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save the records at all (and serve no inspector, which reads them)')
            [CompletionResult]::new('--no-ui', '--no-ui', [CompletionResultType]::ParameterName, 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;qikchat' {
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]')
            [CompletionResult]::new('--events-webhook', '--events-webhook', [CompletionResultType]::ParameterName, 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})')
            [CompletionResult]::new('--statuses', '--statuses', [CompletionResultType]::ParameterName, 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests')
            [CompletionResult]::new('--throughput', '--throughput', [CompletionResultType]::ParameterName, 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]')
            [CompletionResult]::new('--pair-interval', '--pair-interval', [CompletionResultType]::ParameterName, 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]')
            [CompletionResult]::new('--inject', '--inject', [CompletionResultType]::ParameterName, 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]')
            [CompletionResult]::new('--chaos', '--chaos', [CompletionResultType]::ParameterName, 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]')
            [CompletionResult]::new('--webhook-timeout', '--webhook-timeout', [CompletionResultType]::ParameterName, 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body read (media uploads included); larger ones are answered 413')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save the records at all (and serve no inspector, which reads them)')
            [CompletionResult]::new('--no-ui', '--no-ui', [CompletionResultType]::ParameterName, 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;picky' {
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]')
            [CompletionResult]::new('--events-webhook', '--events-webhook', [CompletionResultType]::ParameterName, 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})')
            [CompletionResult]::new('--statuses', '--statuses', [CompletionResultType]::ParameterName, 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests')
            [CompletionResult]::new('--throughput', '--throughput', [CompletionResultType]::ParameterName, 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]')
            [CompletionResult]::new('--pair-interval', '--pair-interval', [CompletionResultType]::ParameterName, 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]')
            [CompletionResult]::new('--inject', '--inject', [CompletionResultType]::ParameterName, 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]')
            [CompletionResult]::new('--chaos', '--chaos', [CompletionResultType]::ParameterName, 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]')
            [CompletionResult]::new('--webhook-timeout', '--webhook-timeout', [CompletionResultType]::ParameterName, 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body read (media uploads included); larger ones are answered 413')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save the records at all (and serve no inspector, which reads them)')
            [CompletionResult]::new('--no-ui', '--no-ui', [CompletionResultType]::ParameterName, 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;99digital' {
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]')
            [CompletionResult]::new('--events-webhook', '--events-webhook', [CompletionResultType]::ParameterName, 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})')
            [CompletionResult]::new('--statuses', '--statuses', [CompletionResultType]::ParameterName, 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests')
            [CompletionResult]::new('--throughput', '--throughput', [CompletionResultType]::ParameterName, 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]')
            [CompletionResult]::new('--pair-interval', '--pair-interval', [CompletionResultType]::ParameterName, 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]')
            [CompletionResult]::new('--inject', '--inject', [CompletionResultType]::ParameterName, 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]')
            [CompletionResult]::new('--chaos', '--chaos', [CompletionResultType]::ParameterName, 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]')
            [CompletionResult]::new('--webhook-timeout', '--webhook-timeout', [CompletionResultType]::ParameterName, 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body read (media uploads included); larger ones are answered 413')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save the records at all (and serve no inspector, which reads them)')
            [CompletionResult]::new('--no-ui', '--no-ui', [CompletionResultType]::ParameterName, 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;smartflow' {
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]')
            [CompletionResult]::new('--events-webhook', '--events-webhook', [CompletionResultType]::ParameterName, 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]')
            [CompletionResult]::new('--basic-auth-env', '--basic-auth-env', [CompletionResultType]::ParameterName, 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it')
            [CompletionResult]::new('--verify-token-env', '--verify-token-env', [CompletionResultType]::ParameterName, 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Address to bind')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so')
            [CompletionResult]::new('--ui-port', '--ui-port', [CompletionResultType]::ParameterName, 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})')
            [CompletionResult]::new('--statuses', '--statuses', [CompletionResultType]::ParameterName, 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]')
            [CompletionResult]::new('--templates', '--templates', [CompletionResultType]::ParameterName, 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests')
            [CompletionResult]::new('--throughput', '--throughput', [CompletionResultType]::ParameterName, 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]')
            [CompletionResult]::new('--pair-interval', '--pair-interval', [CompletionResultType]::ParameterName, 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]')
            [CompletionResult]::new('--inject', '--inject', [CompletionResultType]::ParameterName, 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]')
            [CompletionResult]::new('--chaos', '--chaos', [CompletionResultType]::ParameterName, 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]')
            [CompletionResult]::new('--webhook-timeout', '--webhook-timeout', [CompletionResultType]::ParameterName, 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]')
            [CompletionResult]::new('--read-timeout', '--read-timeout', [CompletionResultType]::ParameterName, 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)')
            [CompletionResult]::new('--max-body', '--max-body', [CompletionResultType]::ParameterName, 'Largest request body read (media uploads included); larger ones are answered 413')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('--no-save', '--no-save', [CompletionResultType]::ParameterName, 'Do not save the records at all (and serve no inspector, which reads them)')
            [CompletionResult]::new('--no-ui', '--no-ui', [CompletionResultType]::ParameterName, 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;say' {
            [CompletionResult]::new('--emulator', '--emulator', [CompletionResultType]::ParameterName, 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a line; json: the emulator''s answer')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Send a message like the provider''s sample of this kind instead (`message:image`)')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Name the customer this way: phone (wa_id), bsuid (phone and business-scoped user id) or username (no phone number) [default: phone]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;react' {
            [CompletionResult]::new('--emulator', '--emulator', [CompletionResultType]::ParameterName, 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a line; json: the emulator''s answer')
            [CompletionResult]::new('--emoji', '--emoji', [CompletionResultType]::ParameterName, 'The reaction')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;read' {
            [CompletionResult]::new('--emulator', '--emulator', [CompletionResultType]::ParameterName, 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a line; json: the emulator''s answer')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;fail' {
            [CompletionResult]::new('--emulator', '--emulator', [CompletionResultType]::ParameterName, 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a line; json: the emulator''s answer')
            [CompletionResult]::new('--code', '--code', [CompletionResultType]::ParameterName, 'The error code of the failure (131047: outside the 24-hour window; 131026: undeliverable)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;test' {
            [CompletionResult]::new('--provider', '--provider', [CompletionResultType]::ParameterName, 'The provider whose emulator plays the conversations [default: each file''s `provider`]')
            [CompletionResult]::new('--webhook', '--webhook', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port) [default: each file''s `webhook`]')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'The app''s webhook URL (a URL, host:port/path or a port) [default: each file''s `webhook`]')
            [CompletionResult]::new('--events-webhook', '--events-webhook', [CompletionResultType]::ParameterName, 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: each file''s `events_webhook`, else --webhook]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The emulator''s port; 0 picks a free one (give one when the app is already running and its API base is set to it)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The emulator''s port; 0 picks a free one (give one when the app is already running and its API base is set to it)')
            [CompletionResult]::new('--app-secret-env', '--app-secret-env', [CompletionResultType]::ParameterName, 'The emulator signs every webhook with the Meta app secret from this environment variable (the app is started with the same environment) [default: unsigned]')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'The one bearer token the emulator accepts, from this environment variable [default: any non-empty token]')
            [CompletionResult]::new('--junit', '--junit', [CompletionResultType]::ParameterName, 'Also write the results as JUnit XML to this file (a test suite per file, a test case per step), for CI')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'text: a line per step; json: one object per step, then a summary per file')
            [CompletionResult]::new('--start-timeout', '--start-timeout', [CompletionResultType]::ParameterName, 'With `-- CMD`: how long the app may take to answer at its webhook URL after it starts')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;record' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the conversation here [default: standard output]')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the conversation here [default: standard output]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The conversation''s name [default: the capture file''s name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;emulate;help' {
            [CompletionResult]::new('meta', 'meta', [CompletionResultType]::ParameterValue, 'Meta''s WhatsApp Cloud API: /messages, /media and the status webhooks that follow')
            [CompletionResult]::new('qikchat', 'qikchat', [CompletionResultType]::ParameterValue, 'Qikchat: /v1/messages and the status callbacks that follow')
            [CompletionResult]::new('picky', 'picky', [CompletionResultType]::ParameterValue, 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook')
            [CompletionResult]::new('99digital', '99digital', [CompletionResultType]::ParameterValue, '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events')
            [CompletionResult]::new('smartflow', 'smartflow', [CompletionResultType]::ParameterValue, 'Omni Smartflow: no public send API; the customer''s messages and the status callbacks')
            [CompletionResult]::new('say', 'say', [CompletionResultType]::ParameterValue, 'The test customer sends the app a message, through a running emulator')
            [CompletionResult]::new('react', 'react', [CompletionResultType]::ParameterValue, 'The test customer reacts to a message the app sent: a reaction message webhook')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'The test customer reads a message the app sent: a `read` status webhook')
            [CompletionResult]::new('fail', 'fail', [CompletionResultType]::ParameterValue, 'A message the app sent fails later: a `failed` status webhook with the error code')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;emulate;help;meta' {
            break
        }
        'wa-hook;emulate;help;qikchat' {
            break
        }
        'wa-hook;emulate;help;picky' {
            break
        }
        'wa-hook;emulate;help;99digital' {
            break
        }
        'wa-hook;emulate;help;smartflow' {
            break
        }
        'wa-hook;emulate;help;say' {
            break
        }
        'wa-hook;emulate;help;react' {
            break
        }
        'wa-hook;emulate;help;read' {
            break
        }
        'wa-hook;emulate;help;fail' {
            break
        }
        'wa-hook;emulate;help;test' {
            break
        }
        'wa-hook;emulate;help;record' {
            break
        }
        'wa-hook;emulate;help;help' {
            break
        }
        'wa-hook;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'wa-hook;help' {
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Capture webhooks: acknowledge, save, detect, validate, show and forward every request')
            [CompletionResult]::new('replay', 'replay', [CompletionResultType]::ParameterValue, 'Send built-in samples, files or captured requests to a URL and report what came back')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check bodies against the providers'' documented shapes (JSON Schemas shipped with wa-hook)')
            [CompletionResult]::new('samples', 'samples', [CompletionResultType]::ParameterValue, 'List the built-in sample payloads, or print one')
            [CompletionResult]::new('schemas', 'schemas', [CompletionResultType]::ParameterValue, 'List the JSON Schemas wa-hook validates with, print one, or export them all')
            [CompletionResult]::new('partner', 'partner', [CompletionResultType]::ParameterValue, 'Read or set the webhook URL through 99 Digital''s partner API')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Test your webhook endpoint the way the provider will, and say why a check fails')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Print the X-Hub-Signature-256 header Meta would send for a body')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check an X-Hub-Signature-256 header against a body, and explain a mismatch')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Serve the inspector over capture files: a page in the browser to see, filter, follow and replay captured webhooks')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)')
            [CompletionResult]::new('emulate', 'emulate', [CompletionResultType]::ParameterValue, 'Run a provider''s send API on this machine: answer the app''s sends as the provider does, then send the webhooks that follow; play the customer')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script or the man page')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'wa-hook;help;listen' {
            break
        }
        'wa-hook;help;replay' {
            break
        }
        'wa-hook;help;validate' {
            break
        }
        'wa-hook;help;samples' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the samples (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one sample''s body exactly as wa-hook sends it')
            break
        }
        'wa-hook;help;samples;list' {
            break
        }
        'wa-hook;help;samples;show' {
            break
        }
        'wa-hook;help;schemas' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the schemas (the default)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print one schema')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write every schema as DIR/<id>.json')
            break
        }
        'wa-hook;help;schemas;list' {
            break
        }
        'wa-hook;help;schemas;show' {
            break
        }
        'wa-hook;help;schemas;export' {
            break
        }
        'wa-hook;help;partner' {
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Get an access token (valid one hour) and save it for the other partner commands')
            [CompletionResult]::new('set-url', 'set-url', [CompletionResultType]::ParameterValue, 'Set the webhook URL the partner API calls')
            [CompletionResult]::new('get-url', 'get-url', [CompletionResultType]::ParameterValue, 'Print the webhook URL that is set now')
            break
        }
        'wa-hook;help;partner;token' {
            break
        }
        'wa-hook;help;partner;set-url' {
            break
        }
        'wa-hook;help;partner;get-url' {
            break
        }
        'wa-hook;help;doctor' {
            break
        }
        'wa-hook;help;sign' {
            break
        }
        'wa-hook;help;verify' {
            break
        }
        'wa-hook;help;inspect' {
            break
        }
        'wa-hook;help;show' {
            break
        }
        'wa-hook;help;emulate' {
            [CompletionResult]::new('meta', 'meta', [CompletionResultType]::ParameterValue, 'Meta''s WhatsApp Cloud API: /messages, /media and the status webhooks that follow')
            [CompletionResult]::new('qikchat', 'qikchat', [CompletionResultType]::ParameterValue, 'Qikchat: /v1/messages and the status callbacks that follow')
            [CompletionResult]::new('picky', 'picky', [CompletionResultType]::ParameterValue, 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook')
            [CompletionResult]::new('99digital', '99digital', [CompletionResultType]::ParameterValue, '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events')
            [CompletionResult]::new('smartflow', 'smartflow', [CompletionResultType]::ParameterValue, 'Omni Smartflow: no public send API; the customer''s messages and the status callbacks')
            [CompletionResult]::new('say', 'say', [CompletionResultType]::ParameterValue, 'The test customer sends the app a message, through a running emulator')
            [CompletionResult]::new('react', 'react', [CompletionResultType]::ParameterValue, 'The test customer reacts to a message the app sent: a reaction message webhook')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'The test customer reads a message the app sent: a `read` status webhook')
            [CompletionResult]::new('fail', 'fail', [CompletionResultType]::ParameterValue, 'A message the app sent fails later: a `failed` status webhook with the error code')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause')
            [CompletionResult]::new('record', 'record', [CompletionResultType]::ParameterValue, 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting')
            break
        }
        'wa-hook;help;emulate;meta' {
            break
        }
        'wa-hook;help;emulate;qikchat' {
            break
        }
        'wa-hook;help;emulate;picky' {
            break
        }
        'wa-hook;help;emulate;99digital' {
            break
        }
        'wa-hook;help;emulate;smartflow' {
            break
        }
        'wa-hook;help;emulate;say' {
            break
        }
        'wa-hook;help;emulate;react' {
            break
        }
        'wa-hook;help;emulate;read' {
            break
        }
        'wa-hook;help;emulate;fail' {
            break
        }
        'wa-hook;help;emulate;test' {
            break
        }
        'wa-hook;help;emulate;record' {
            break
        }
        'wa-hook;help;completions' {
            break
        }
        'wa-hook;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
