
use builtin;
use str;

set edit:completion:arg-completer[wa-hook] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'wa-hook'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'wa-hook'= {
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand listen 'Capture webhooks: acknowledge, save, detect, validate, show and forward every request'
            cand replay 'Send built-in samples, files or captured requests to a URL and report what came back'
            cand validate 'Check bodies against the providers'' documented shapes (JSON Schemas shipped with wa-hook)'
            cand samples 'List the built-in sample payloads, or print one'
            cand schemas 'List the JSON Schemas wa-hook validates with, print one, or export them all'
            cand partner 'Read or set the webhook URL through 99 Digital''s partner API'
            cand doctor 'Test your webhook endpoint the way the provider will, and say why a check fails'
            cand sign 'Print the X-Hub-Signature-256 header Meta would send for a body'
            cand verify 'Check an X-Hub-Signature-256 header against a body, and explain a mismatch'
            cand inspect 'Serve the inspector over capture files: a page in the browser to see, filter, follow and replay captured webhooks'
            cand show 'Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)'
            cand emulate 'Run a provider''s send API on this machine: answer the app''s sends as the provider does, then send the webhooks that follow; play the customer'
            cand completions 'Print a shell completion script or the man page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;listen'= {
            cand --host 'Address to bind; use 0.0.0.0 to accept requests from other machines'
            cand -p 'Port to listen on; 0 picks a free one (the URL is printed on the first line; with --format json as {"listening": URL})'
            cand --port 'Port to listen on; 0 picks a free one (the URL is printed on the first line; with --format json as {"listening": URL})'
            cand -o 'Capture file (JSON Lines, appended); `-` writes the records to stdout'
            cand --out 'Capture file (JSON Lines, appended); `-` writes the records to stdout'
            cand --max-body 'Largest body accepted; larger ones are answered 413 and recorded without their body'
            cand --reply 'Answer with this Picky Assist instant-reply body (a sample name or a JSON file); checked at start-up'
            cand --status 'HTTP status to acknowledge with [default: 200]; a status outside 2xx answers `{"ok":false}` (--reply''s body, when given, is answered as it is)'
            cand --delay 'Wait this long before acknowledging (e.g. 500ms, 3s), to rehearse a slow endpoint'
            cand --basic-auth 'Require HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)'
            cand --basic-auth-env 'Require HTTP Basic auth, reading USER:PASS from this environment variable'
            cand --app-secret-env 'Check X-Hub-Signature-256 on every POST with the Meta app secret in this environment variable (the inspector''s "Replay edited" re-signs with it too)'
            cand --verify-token-env 'Answer Meta''s verification handshake with the verify token in this environment variable'
            cand --events 'Show and forward only these kinds (e.g. message:text,status; a prefix matches), providers (qikchat), verdicts (invalid), rejected, or Meta''s webhook field names (account_alerts); all are saved. A word that matches nothing is refused'
            cand --forward-to 'Forward every request to your app (a URL, or a local port: 3000, 3000/webhook, :3000) and relay its answer'
            cand --budget 'Warn when the forward target takes longer than this [default: the provider''s own limit, else 2s — the rule replay follows too]'
            cand --forward-timeout 'Give up on the app after this long and answer 504 [default: the budget, at most 10s]'
            cand --max-connections 'Connections open at once; one more is answered 503 at once [default: 512, fewer when the open-file limit (ulimit -n) is lower]'
            cand --read-timeout 'Longest wait for a request''s head, for more of its body, or on an idle keep-alive connection (a whole body gets 3 times it)'
            cand --threads 'Worker threads answering requests [default: one per core, at least 2; 32 with --delay, whose requests each hold a worker while they wait (a forwarded request waits for the app on a thread of its own, up to 256 at once, then 503)]'
            cand --tunnel 'Give the listener a public URL through a tunnel client on PATH: cloudflared (no account), ngrok, or ssh:HOST (e.g. ssh:nokey@localhost.run); its URL is printed on the second line, with where each provider takes it'
            cand --register 'With --tunnel: point this provider''s webhook at the public URL while listen runs and put the previous URL back when it stops (partner: 99 Digital''s partner API, with the token `wa-hook partner` uses)'
            cand --api-base 'The partner API''s base URL, for --register partner'
            cand --ui-port 'The inspector''s port on 127.0.0.1 (never the webhook port, never through the tunnel); 0 picks a free one. Its URL is printed after the listen URL (with --format json as {"inspector": URL})'
            cand --format 'text: one line per request; json: the capture records as JSON lines'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --no-save 'Do not save captures at all'
            cand --keep-secrets 'Keep Authorization and other secret-bearing headers in the capture file'
            cand --fsync 'Wait until each record is on the disk (fdatasync) before answering: survives a power loss, at a cost per request'
            cand --strict 'Also report properties the documentation does not name'
            cand --reject-bad-signature 'Answer 401 to a request whose signature does not match (needs --app-secret-env)'
            cand --dry-run 'With --register: print the API calls a real run makes, and make none'
            cand --no-ui 'Do not serve the inspector (the page in the browser over this run''s captures)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;replay'= {
            cand -t 'Target: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook) for http://127.0.0.1:PORT'
            cand --to 'Target: a URL, or a local port with an optional path (3000, 3000/webhook, :3000/webhook) for http://127.0.0.1:PORT'
            cand -c 'Requests in flight at once'
            cand --concurrency 'Requests in flight at once'
            cand -n 'Send every input this many times'
            cand --repeat 'Send every input this many times'
            cand --rate 'Send at most this many requests per second (e.g. 50 or 50/s)'
            cand --timeout 'Give up on a request after this long'
            cand -H 'Extra header on every request, `Name: value` (repeatable)'
            cand --header 'Extra header on every request, `Name: value` (repeatable)'
            cand --basic-auth 'Send HTTP Basic auth as USER:PASS (prefer --basic-auth-env: arguments show in `ps`)'
            cand --basic-auth-env 'Send HTTP Basic auth, reading USER:PASS from this environment variable'
            cand --app-secret-env 'Sign every body with the Meta app secret in this environment variable (X-Hub-Signature-256)'
            cand --verify-token-env 'The verify token for --handshake, from this environment variable'
            cand --set 'Edit the payload before sending: PATH=VALUE, PATH dotted (a.b.0.c) or a JSON pointer; VALUE JSON or a string'
            cand --expect-status 'Status codes that count as success: 2xx, 200, 200-299, or a list (200,204)'
            cand --budget 'Count responses slower than this [default: the provider''s own limit (Qikchat 2s, Picky Assist 3m), else 2s] — the rule listen --forward-to follows too'
            cand --batch 'Merge every N inputs into one notification, as Meta batches them: one entry per account, messages (and statuses) of one number in one value'
            cand --identity 'Rewrite Meta messages and statuses so users are named by phone number only (phone), phone number and business-scoped user id (bsuid), or user id and username, no phone number (username)'
            cand --format 'text: lines and a summary; json: the summary (and with -v every result) as JSON'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --insecure 'Accept invalid TLS certificates (self-signed HTTPS targets)'
            cand --fresh 'Give every send new message ids and current timestamps, in the fields the provider uses'
            cand --sequence 'For a status sample: send one message''s statuses in order (sent, delivered, read; or sent, failed for a failed sample)'
            cand --picky-query 'Send Picky Assist samples the deprecated way, as query parameters'
            cand --raw-bytes 'Send each file''s (and sample''s) bytes exactly as they are, instead of as the provider writes them on the wire (compact; Meta escapes non-ASCII and /)'
            cand --handshake 'Send Meta''s verification handshake (GET) instead of bodies and check the challenge comes back'
            cand -v 'Show every result, also with many requests (and include them in --format json)'
            cand --verbose 'Show every result, also with many requests (and include them in --format json)'
            cand -y 'Do not ask for confirmation in interactive mode'
            cand --yes 'Do not ask for confirmation in interactive mode'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;validate'= {
            cand --provider 'Validate as this provider instead of detecting it'
            cand --schema 'Validate against this schema (see `wa-hook schemas`) instead of detecting it'
            cand --max-body 'Largest body checked; a larger one is reported and not read (exit 2)'
            cand --format 'text: a line per body; json: one JSON object per body, then a summary object'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --strict 'Also report properties the documentation does not name'
            cand -q 'Print only bodies that are not valid (and the summary)'
            cand --quiet 'Print only bodies that are not valid (and the summary)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;samples'= {
            cand --format 'text: a table; json: one object per sample'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the samples (the default)'
            cand show 'Print one sample''s body exactly as wa-hook sends it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;samples;list'= {
            cand --format 'text: a table; json: one object per sample'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;samples;show'= {
            cand --format 'text: a table; json: one object per sample'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;samples;help'= {
            cand list 'List the samples (the default)'
            cand show 'Print one sample''s body exactly as wa-hook sends it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;samples;help;list'= {
        }
        &'wa-hook;samples;help;show'= {
        }
        &'wa-hook;samples;help;help'= {
        }
        &'wa-hook;schemas'= {
            cand --format 'text: a table; json: one object per schema'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the schemas (the default)'
            cand show 'Print one schema'
            cand export 'Write every schema as DIR/<id>.json'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;schemas;list'= {
            cand --format 'text: a table; json: one object per schema'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;schemas;show'= {
            cand --format 'text: a table; json: one object per schema'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --strict 'Print the --strict variant (undocumented properties not allowed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;schemas;export'= {
            cand --format 'text: a table; json: one object per schema'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --strict 'Export the --strict variants'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;schemas;help'= {
            cand list 'List the schemas (the default)'
            cand show 'Print one schema'
            cand export 'Write every schema as DIR/<id>.json'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;schemas;help;list'= {
        }
        &'wa-hook;schemas;help;show'= {
        }
        &'wa-hook;schemas;help;export'= {
        }
        &'wa-hook;schemas;help;help'= {
        }
        &'wa-hook;partner'= {
            cand --api-base 'The partner API''s base URL'
            cand --timeout 'Give up on a request after this long'
            cand --format 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --token-stdin 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand token 'Get an access token (valid one hour) and save it for the other partner commands'
            cand set-url 'Set the webhook URL the partner API calls'
            cand get-url 'Print the webhook URL that is set now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;partner;token'= {
            cand --client-id 'Your partner client id'
            cand --api-base 'The partner API''s base URL'
            cand --timeout 'Give up on a request after this long'
            cand --format 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --client-secret-stdin 'Read the client secret from standard input (else WA_HOOK_CLIENT_SECRET, else a prompt)'
            cand --print 'Also write the token to standard output, for scripts (nothing else prints it)'
            cand --token-stdin 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;partner;set-url'= {
            cand --api-base 'The partner API''s base URL'
            cand --timeout 'Give up on a request after this long'
            cand --format 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -y 'Do not show the URL set now nor ask to confirm; required without a terminal'
            cand --yes 'Do not show the URL set now nor ask to confirm; required without a terminal'
            cand --dry-run 'Print the request that would be sent (token redacted) and send nothing'
            cand --token-stdin 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;partner;get-url'= {
            cand --api-base 'The partner API''s base URL'
            cand --timeout 'Give up on a request after this long'
            cand --format 'text: a sentence; json: the API''s JSON response as it came (the token redacted unless --print)'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --token-stdin 'Read the bearer token from standard input (else WA_HOOK_PARTNER_TOKEN, the saved token, a prompt)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;partner;help'= {
            cand token 'Get an access token (valid one hour) and save it for the other partner commands'
            cand set-url 'Set the webhook URL the partner API calls'
            cand get-url 'Print the webhook URL that is set now'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;partner;help;token'= {
        }
        &'wa-hook;partner;help;set-url'= {
        }
        &'wa-hook;partner;help;get-url'= {
        }
        &'wa-hook;partner;help;help'= {
        }
        &'wa-hook;doctor'= {
            cand --provider 'The provider whose traffic to send'
            cand --basic-auth-env 'Qikchat: send HTTP Basic auth, reading USER:PASS from this environment variable'
            cand --app-secret-env 'Meta: sign bodies with the app secret in this environment variable, as Meta does'
            cand --verify-token-env 'Meta: the verify token your app expects, from this environment variable (for handshake)'
            cand --timeout 'Give up on a request after this long'
            cand -H 'Extra header on every request, `Name: value` (repeatable)'
            cand --header 'Extra header on every request, `Name: value` (repeatable)'
            cand --budget 'How fast every answer must come [default: the provider''s own limit (Qikchat 2s, Picky Assist 3m), else 2s]'
            cand --only 'Run only these checks (comma-separated names; see the list below)'
            cand --skip 'Leave out these checks'
            cand --junit 'Also write the results as JUnit XML to this file (one test case per check), for CI'
            cand --format 'text: a checklist; json: one object per check, then a summary object'
            cand --start-timeout 'With `-- CMD`: how long the app may take to answer at its webhook URL after it starts'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --insecure 'Accept invalid TLS certificates (self-signed HTTPS targets)'
            cand -v 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)'
            cand --verbose 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;sign'= {
            cand --app-secret-env 'Read the app secret from this environment variable'
            cand --app-secret-file 'Read the app secret from this file (surrounding whitespace is ignored)'
            cand --format 'text: the header line; json: {"header", "signature"}'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;verify'= {
            cand --app-secret-env 'Read the app secret from this environment variable'
            cand --app-secret-file 'Read the app secret from this file (surrounding whitespace is ignored)'
            cand --signature 'The X-Hub-Signature-256 value received, e.g. sha256=4f2c...'
            cand --format 'text: a verdict and its likely cause; json: {"valid", "cause"}'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;inspect'= {
            cand -p 'Port on 127.0.0.1; 0 picks a free one (the URL is the first line printed; with --format json as {"inspector": URL})'
            cand --port 'Port on 127.0.0.1; 0 picks a free one (the URL is the first line printed; with --format json as {"inspector": URL})'
            cand --replay-to 'Where the replay button sends by default: a URL or a local port (3000/webhook)'
            cand --timeout 'How long a replay may take'
            cand --app-secret-env '"Replay edited" re-signs an edited Meta body (X-Hub-Signature-256) with the app secret in this environment variable, over the bytes Meta would send'
            cand --format 'text: the URL; json: {"inspector": URL}'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;show'= {
            cand --format 'text: readable; json: the capture record as one line'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate'= {
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand meta 'Meta''s WhatsApp Cloud API: /messages, /media and the status webhooks that follow'
            cand qikchat 'Qikchat: /v1/messages and the status callbacks that follow'
            cand picky 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook'
            cand 99digital '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events'
            cand smartflow 'Omni Smartflow: no public send API; the customer''s messages and the status callbacks'
            cand say 'The test customer sends the app a message, through a running emulator'
            cand react 'The test customer reacts to a message the app sent: a reaction message webhook'
            cand read 'The test customer reads a message the app sent: a `read` status webhook'
            cand fail 'A message the app sent fails later: a `failed` status webhook with the error code'
            cand test 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause'
            cand record 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;emulate;meta'= {
            cand --webhook 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there'
            cand --app-secret-env 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]'
            cand --token-env 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]'
            cand --events-webhook 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]'
            cand --basic-auth-env 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it'
            cand --verify-token-env 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)'
            cand --host 'Address to bind'
            cand -p 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand --port 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand -o 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --out 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --ui-port 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})'
            cand --statuses 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]'
            cand --templates 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)'
            cand --window 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests'
            cand --throughput 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]'
            cand --pair-interval 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]'
            cand --inject 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}'
            cand --seed 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]'
            cand --chaos 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]'
            cand --retries 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]'
            cand --webhook-timeout 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]'
            cand --read-timeout 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)'
            cand --max-body 'Largest request body read (media uploads included); larger ones are answered 413'
            cand --format 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --no-save 'Do not save the records at all (and serve no inspector, which reads them)'
            cand --no-ui 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;qikchat'= {
            cand --webhook 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there'
            cand --app-secret-env 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]'
            cand --token-env 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]'
            cand --events-webhook 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]'
            cand --basic-auth-env 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it'
            cand --verify-token-env 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)'
            cand --host 'Address to bind'
            cand -p 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand --port 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand -o 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --out 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --ui-port 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})'
            cand --statuses 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]'
            cand --templates 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)'
            cand --window 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests'
            cand --throughput 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]'
            cand --pair-interval 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]'
            cand --inject 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}'
            cand --seed 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]'
            cand --chaos 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]'
            cand --retries 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]'
            cand --webhook-timeout 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]'
            cand --read-timeout 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)'
            cand --max-body 'Largest request body read (media uploads included); larger ones are answered 413'
            cand --format 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --no-save 'Do not save the records at all (and serve no inspector, which reads them)'
            cand --no-ui 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;picky'= {
            cand --webhook 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there'
            cand --app-secret-env 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]'
            cand --token-env 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]'
            cand --events-webhook 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]'
            cand --basic-auth-env 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it'
            cand --verify-token-env 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)'
            cand --host 'Address to bind'
            cand -p 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand --port 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand -o 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --out 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --ui-port 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})'
            cand --statuses 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]'
            cand --templates 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)'
            cand --window 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests'
            cand --throughput 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]'
            cand --pair-interval 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]'
            cand --inject 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}'
            cand --seed 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]'
            cand --chaos 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]'
            cand --retries 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]'
            cand --webhook-timeout 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]'
            cand --read-timeout 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)'
            cand --max-body 'Largest request body read (media uploads included); larger ones are answered 413'
            cand --format 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --no-save 'Do not save the records at all (and serve no inspector, which reads them)'
            cand --no-ui 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;99digital'= {
            cand --webhook 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there'
            cand --app-secret-env 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]'
            cand --token-env 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]'
            cand --events-webhook 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]'
            cand --basic-auth-env 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it'
            cand --verify-token-env 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)'
            cand --host 'Address to bind'
            cand -p 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand --port 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand -o 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --out 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --ui-port 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})'
            cand --statuses 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]'
            cand --templates 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)'
            cand --window 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests'
            cand --throughput 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]'
            cand --pair-interval 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]'
            cand --inject 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}'
            cand --seed 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]'
            cand --chaos 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]'
            cand --retries 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]'
            cand --webhook-timeout 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]'
            cand --read-timeout 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)'
            cand --max-body 'Largest request body read (media uploads included); larger ones are answered 413'
            cand --format 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --no-save 'Do not save the records at all (and serve no inspector, which reads them)'
            cand --no-ui 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;smartflow'= {
            cand --webhook 'The app''s webhook URL (a URL, host:port/path or a port): status and message webhooks go there'
            cand --app-secret-env 'Sign every webhook with the Meta app secret from this environment variable (X-Hub-Signature-256) [default: unsigned]'
            cand --token-env 'The one API credential accepted (Meta''s bearer token, Qikchat''s API key, Picky Assist''s token, 99 Digital''s apiKey), from this environment variable [default: any non-empty one]'
            cand --events-webhook 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: --webhook]'
            cand --basic-auth-env 'Send every webhook with HTTP Basic auth, USER:PASS from this environment variable, as Qikchat does when its dashboard sets it'
            cand --verify-token-env 'Verify the app''s webhook first, as Meta does when a webhook is set: a GET with hub.mode=subscribe, this environment variable''s verify token and a hub.challenge, which the app must answer 200 with exactly the challenge (otherwise exit 1)'
            cand --host 'Address to bind'
            cand -p 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand --port 'Port to listen on; 0 picks a free one (the base URL is printed on the first line)'
            cand -o 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --out 'Capture file (JSON Lines, appended, the file listen writes): the app''s sends with the answers, and the webhooks with the app''s answers, each marked with its `direction`. The default file being written by another run (listen''s), this run saves nothing and says so'
            cand --ui-port 'The inspector''s port on 127.0.0.1; 0 picks a free one. Its URL is printed after the base URL (with --format json as {"inspector": URL})'
            cand --statuses 'When each status webhook follows an accepted send, after the answer: `sent=0ms,delivered=200ms` [default: at once, in order]'
            cand --templates 'Meta: the app''s templates (JSON: [{"name", "language", "status", "components": [{"type": "BODY", "text": "Hi {{1}}"}]}]): template sends are checked against them (132001 no such template, language or not approved; 132000 parameter count; 100 parameter name missing)'
            cand --window 'The customer-service window: a non-template send more than this after the customer''s last message (or before any) fails as the provider fails it (Meta: accepted, then a 131047 `failed` status) [Meta, Qikchat, 99 Digital v2: 24h; default: not checked]. A short one (10s) is a fast clock for tests'
            cand --throughput 'Meta: at most this many message sends per second; more are answered 429 with code 130429 and Retry-After: 1 [Meta: 80 per number by default; default: not limited]'
            cand --pair-interval 'Meta: the least time between two messages to the same user; sooner is answered 400 with code 131056 [Meta: about 6s, with bursts Meta does not specify; default: not limited]'
            cand --inject 'Fail message sends with one of the provider''s documented codes (Meta''s error codes, 99 Digital''s reasons): CODE:next=N (the next N sends) or CODE:every=N (every Nth); repeatable. Codes Meta reports later (131047, 131026) are accepted, then get a `failed` status; others are the send''s answer. Refused for providers that document no codes. Also at run time: POST /_wa-hook/inject {"code", "next" | "every"}'
            cand --seed 'Draw every id (message ids, media ids, Meta''s fbtrace_id) from this seed: the same sends get the same ids on every run [default: fresh ids]'
            cand --chaos 'What goes wrong on the way to the app, each a probability from 0 to 1, drawn from --seed (the same sends, the same chaos): dup=P sends a webhook twice, reorder=P sends a send''s status webhooks in reverse order, late=P or late=P:DURATION sends one late (2s) so later ones pass it. Each act is marked on its line and in its record [default: none]'
            cand --retries 'Send a webhook the app did not answer 2xx again, on the provider''s schedule: off, real, compressed (1000 times faster: a minute becomes 60 ms) or Nx (N times faster). Meta: backoff for up to 7 days (doubling from 1 min, wa-hook''s choice: Meta does not give its steps); Picky Assist: 1 min, 15 min, 2 h, 6 h (beta); Qikchat, 99 Digital and Omni Smartflow document none, so none [default: off]'
            cand --webhook-timeout 'How long a webhook waits for the app''s answer; a later answer counts as none, as the provider counts it [default: the provider''s documented budget (Qikchat 2s, Picky Assist 180s), else 10s]'
            cand --read-timeout 'Longest wait for a request''s head or more of its body (a whole body gets 3 times it)'
            cand --max-body 'Largest request body read (media uploads included); larger ones are answered 413'
            cand --format 'text: the base URL, then a line per request and webhook on stderr; json: JSON lines'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand --no-save 'Do not save the records at all (and serve no inspector, which reads them)'
            cand --no-ui 'Do not serve the inspector (the page in the browser over this run''s records, with the chat: the conversation as WhatsApp shows it, and the customer''s controls)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;say'= {
            cand --emulator 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)'
            cand --format 'text: a line; json: the emulator''s answer'
            cand --kind 'Send a message like the provider''s sample of this kind instead (`message:image`)'
            cand --identity 'Name the customer this way: phone (wa_id), bsuid (phone and business-scoped user id) or username (no phone number) [default: phone]'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;react'= {
            cand --emulator 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)'
            cand --format 'text: a line; json: the emulator''s answer'
            cand --emoji 'The reaction'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;read'= {
            cand --emulator 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)'
            cand --format 'text: a line; json: the emulator''s answer'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;fail'= {
            cand --emulator 'The emulator''s base URL, as it printed it (`http://127.0.0.1:PORT`)'
            cand --format 'text: a line; json: the emulator''s answer'
            cand --code 'The error code of the failure (131047: outside the 24-hour window; 131026: undeliverable)'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;test'= {
            cand --provider 'The provider whose emulator plays the conversations [default: each file''s `provider`]'
            cand --webhook 'The app''s webhook URL (a URL, host:port/path or a port) [default: each file''s `webhook`]'
            cand --app 'The app''s webhook URL (a URL, host:port/path or a port) [default: each file''s `webhook`]'
            cand --events-webhook 'Where the provider''s second callback URL points (Picky Assist''s event webhook, Omni Smartflow''s status callbacks) [default: each file''s `events_webhook`, else --webhook]'
            cand -p 'The emulator''s port; 0 picks a free one (give one when the app is already running and its API base is set to it)'
            cand --port 'The emulator''s port; 0 picks a free one (give one when the app is already running and its API base is set to it)'
            cand --app-secret-env 'The emulator signs every webhook with the Meta app secret from this environment variable (the app is started with the same environment) [default: unsigned]'
            cand --token-env 'The one bearer token the emulator accepts, from this environment variable [default: any non-empty token]'
            cand --junit 'Also write the results as JUnit XML to this file (a test suite per file, a test case per step), for CI'
            cand --format 'text: a line per step; json: one object per step, then a summary per file'
            cand --start-timeout 'With `-- CMD`: how long the app may take to answer at its webhook URL after it starts'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -v 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)'
            cand --verbose 'With `-- CMD`: show the app''s output as it comes (secrets scrubbed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;record'= {
            cand -o 'Write the conversation here [default: standard output]'
            cand --out 'Write the conversation here [default: standard output]'
            cand --name 'The conversation''s name [default: the capture file''s name]'
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;emulate;help'= {
            cand meta 'Meta''s WhatsApp Cloud API: /messages, /media and the status webhooks that follow'
            cand qikchat 'Qikchat: /v1/messages and the status callbacks that follow'
            cand picky 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook'
            cand 99digital '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events'
            cand smartflow 'Omni Smartflow: no public send API; the customer''s messages and the status callbacks'
            cand say 'The test customer sends the app a message, through a running emulator'
            cand react 'The test customer reacts to a message the app sent: a reaction message webhook'
            cand read 'The test customer reads a message the app sent: a `read` status webhook'
            cand fail 'A message the app sent fails later: a `failed` status webhook with the error code'
            cand test 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause'
            cand record 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;emulate;help;meta'= {
        }
        &'wa-hook;emulate;help;qikchat'= {
        }
        &'wa-hook;emulate;help;picky'= {
        }
        &'wa-hook;emulate;help;99digital'= {
        }
        &'wa-hook;emulate;help;smartflow'= {
        }
        &'wa-hook;emulate;help;say'= {
        }
        &'wa-hook;emulate;help;react'= {
        }
        &'wa-hook;emulate;help;read'= {
        }
        &'wa-hook;emulate;help;fail'= {
        }
        &'wa-hook;emulate;help;test'= {
        }
        &'wa-hook;emulate;help;record'= {
        }
        &'wa-hook;emulate;help;help'= {
        }
        &'wa-hook;completions'= {
            cand --color 'When to colour the output: auto colours only on a terminal (and honours NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'wa-hook;help'= {
            cand listen 'Capture webhooks: acknowledge, save, detect, validate, show and forward every request'
            cand replay 'Send built-in samples, files or captured requests to a URL and report what came back'
            cand validate 'Check bodies against the providers'' documented shapes (JSON Schemas shipped with wa-hook)'
            cand samples 'List the built-in sample payloads, or print one'
            cand schemas 'List the JSON Schemas wa-hook validates with, print one, or export them all'
            cand partner 'Read or set the webhook URL through 99 Digital''s partner API'
            cand doctor 'Test your webhook endpoint the way the provider will, and say why a check fails'
            cand sign 'Print the X-Hub-Signature-256 header Meta would send for a body'
            cand verify 'Check an X-Hub-Signature-256 header against a body, and explain a mismatch'
            cand inspect 'Serve the inspector over capture files: a page in the browser to see, filter, follow and replay captured webhooks'
            cand show 'Print one captured request readably: headers, body, verdict and errors (FILE:SEQ)'
            cand emulate 'Run a provider''s send API on this machine: answer the app''s sends as the provider does, then send the webhooks that follow; play the customer'
            cand completions 'Print a shell completion script or the man page'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'wa-hook;help;listen'= {
        }
        &'wa-hook;help;replay'= {
        }
        &'wa-hook;help;validate'= {
        }
        &'wa-hook;help;samples'= {
            cand list 'List the samples (the default)'
            cand show 'Print one sample''s body exactly as wa-hook sends it'
        }
        &'wa-hook;help;samples;list'= {
        }
        &'wa-hook;help;samples;show'= {
        }
        &'wa-hook;help;schemas'= {
            cand list 'List the schemas (the default)'
            cand show 'Print one schema'
            cand export 'Write every schema as DIR/<id>.json'
        }
        &'wa-hook;help;schemas;list'= {
        }
        &'wa-hook;help;schemas;show'= {
        }
        &'wa-hook;help;schemas;export'= {
        }
        &'wa-hook;help;partner'= {
            cand token 'Get an access token (valid one hour) and save it for the other partner commands'
            cand set-url 'Set the webhook URL the partner API calls'
            cand get-url 'Print the webhook URL that is set now'
        }
        &'wa-hook;help;partner;token'= {
        }
        &'wa-hook;help;partner;set-url'= {
        }
        &'wa-hook;help;partner;get-url'= {
        }
        &'wa-hook;help;doctor'= {
        }
        &'wa-hook;help;sign'= {
        }
        &'wa-hook;help;verify'= {
        }
        &'wa-hook;help;inspect'= {
        }
        &'wa-hook;help;show'= {
        }
        &'wa-hook;help;emulate'= {
            cand meta 'Meta''s WhatsApp Cloud API: /messages, /media and the status webhooks that follow'
            cand qikchat 'Qikchat: /v1/messages and the status callbacks that follow'
            cand picky 'Picky Assist: the Push API (/api/v2/push) and the delivery reports on the event webhook'
            cand 99digital '99 Digital: sendMessage (v1, v2), mark-as-read (readStatus) and its partner events'
            cand smartflow 'Omni Smartflow: no public send API; the customer''s messages and the status callbacks'
            cand say 'The test customer sends the app a message, through a running emulator'
            cand react 'The test customer reacts to a message the app sent: a reaction message webhook'
            cand read 'The test customer reads a message the app sent: a `read` status webhook'
            cand fail 'A message the app sent fails later: a `failed` status webhook with the error code'
            cand test 'Play conversation files against your app through the emulator, as a CI test: each step passes (✓) or fails (✗) with its cause'
            cand record 'Write a conversation file from the capture file of an emulate session (`--out`), so a test can be written by chatting'
        }
        &'wa-hook;help;emulate;meta'= {
        }
        &'wa-hook;help;emulate;qikchat'= {
        }
        &'wa-hook;help;emulate;picky'= {
        }
        &'wa-hook;help;emulate;99digital'= {
        }
        &'wa-hook;help;emulate;smartflow'= {
        }
        &'wa-hook;help;emulate;say'= {
        }
        &'wa-hook;help;emulate;react'= {
        }
        &'wa-hook;help;emulate;read'= {
        }
        &'wa-hook;help;emulate;fail'= {
        }
        &'wa-hook;help;emulate;test'= {
        }
        &'wa-hook;help;emulate;record'= {
        }
        &'wa-hook;help;completions'= {
        }
        &'wa-hook;help;help'= {
        }
    ]
    $completions[$command]
}
