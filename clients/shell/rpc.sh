#!/usr/bin/env bash
# rpc.sh METHOD [PARAMS_JSON]: one JSON-RPC call to asana-accessd through `openssl s_client`;
# prints the answer line on stdout.
#
# Settings come from the same environment variables as the Swift client (asana-access):
#   ASANA_ACCESS_HOST   host name or IP address (default 127.0.0.1)
#   ASANA_ACCESS_PORT   TCP port (default 7443)
#   ASANA_ACCESS_CA     PEM of the CA that signed the server certificate (default: system store)
#   ASANA_ACCESS_CERT   PEM client certificate, for mutual TLS (with ASANA_ACCESS_KEY)
#   ASANA_ACCESS_KEY    PEM key of the client certificate
#   ASANA_ACCESS_TOKEN  API token; when set, `authenticate` runs first on the same connection
#   RPC_SH_TIMEOUT      seconds to wait for each answer (default 600)
#
# The server runs the requests of one connection concurrently (protocol.md §8), so the script
# waits for the `authenticate` answer before it sends the call. Notifications that arrive before
# the answer (e.g. sync.progress) go to stderr.
#
# Exit status: 0 the answer has a result, 1 the answer is an error, 2 usage,
# 3 connection/TLS failure or no answer in time.
set -euo pipefail

usage() {
    sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2
    echo "example: ASANA_ACCESS_PORT=7443 ASANA_ACCESS_CA=certs/dev/ca.pem $0 listUsers '{\"workspace\":\"1000\",\"limit\":5}'" >&2
    exit 2
}

[[ $# -ge 1 && $# -le 2 && $1 != -h && $1 != --help ]] || usage
method=$1
params=${2:-}
[[ $method =~ ^[A-Za-z0-9._]+$ ]] || { echo "rpc.sh: bad method name: $method" >&2; exit 2; }
params=${params//$'\r'/ }
params=${params//$'\n'/ }          # one request per line: fold a pretty-printed object
if [[ -n $params && ! $params =~ ^[[:space:]]*\{.*\}[[:space:]]*$ ]]; then
    echo "rpc.sh: PARAMS_JSON must be a JSON object, e.g. '{\"workspace\":\"1000\"}'" >&2
    exit 2
fi

host=${ASANA_ACCESS_HOST:-127.0.0.1}
port=${ASANA_ACCESS_PORT:-7443}
timeout=${RPC_SH_TIMEOUT:-600}
[[ $port =~ ^[0-9]+$ ]] || { echo "rpc.sh: ASANA_ACCESS_PORT must be a number" >&2; exit 2; }
token=${ASANA_ACCESS_TOKEN:-}
if [[ -n $token && ! $token =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "rpc.sh: ASANA_ACCESS_TOKEN does not look like a token (aat_…)" >&2
    exit 2
fi

connect="$host:$port"
[[ $host == *:* ]] && connect="[$host]:$port"     # IPv6 literal: -connect [::1]:7443
args=(s_client -quiet -no_ign_eof -min_protocol TLSv1.2 -verify_return_error -connect "$connect")
if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then
    args+=(-verify_ip "$host")
else
    args+=(-verify_hostname "$host" -servername "$host")
fi
[[ -n ${ASANA_ACCESS_CA:-} ]] && args+=(-CAfile "$ASANA_ACCESS_CA")
if [[ -n ${ASANA_ACCESS_CERT:-} || -n ${ASANA_ACCESS_KEY:-} ]]; then
    [[ -n ${ASANA_ACCESS_CERT:-} && -n ${ASANA_ACCESS_KEY:-} ]] ||
        { echo "rpc.sh: ASANA_ACCESS_CERT and ASANA_ACCESS_KEY go together" >&2; exit 2; }
    args+=(-cert "$ASANA_ACCESS_CERT" -key "$ASANA_ACCESS_KEY")
fi

errors=$(mktemp)
coproc OSSL { exec openssl "${args[@]}" 2>"$errors"; }
ossl_pid=$OSSL_PID
out_fd=${OSSL[0]}
in_fd=${OSSL[1]}
cleanup() {
    exec {in_fd}>&- 2>/dev/null || true
    kill "$ossl_pid" 2>/dev/null || true
    wait "$ossl_pid" 2>/dev/null || true
    rm -f "$errors"
}
trap cleanup EXIT

fail_connection() {
    echo "rpc.sh: $1" >&2
    grep -v -e '^depth=' -e '^verify return:' -e "Can't use SSL_get_servername" "$errors" >&2 || true
    exit 3
}

# await ID: reads lines until the answer with that id (or an "id":null error) into $answer.
answer=
await() {
    local id=$1 line
    while true; do
        if ! IFS= read -r -t "$timeout" -u "$out_fd" line; then
            fail_connection "no answer (connection closed, TLS failure or timeout after ${timeout}s)"
        fi
        line=${line%$'\r'}
        [[ -z ${line//[[:space:]]/} ]] && continue
        case $line in
            '{"id":"'"$id"'",'* | *',"id":"'"$id"'","jsonrpc":"2.0"}' | *',"id":null,"jsonrpc":"2.0"}')
                answer=$line
                return 0 ;;
            *'"method":'*) printf '%s\n' "$line" >&2 ;;   # a notification
        esac
    done
}

send() { printf '%s\n' "$1" >&"$in_fd" 2>/dev/null || fail_connection "cannot send (connection closed)"; }

if [[ -n $token ]]; then
    send '{"jsonrpc":"2.0","id":"rpc.sh-auth","method":"authenticate","params":{"token":"'"$token"'"}}'
    await rpc.sh-auth
    if [[ $answer == '{"error":'* ]]; then printf '%s\n' "$answer"; exit 1; fi
fi

request='{"jsonrpc":"2.0","id":"rpc.sh-call","method":"'"$method"'"'
[[ -n $params ]] && request+=',"params":'"$params"
request+='}'
send "$request"
await rpc.sh-call
printf '%s\n' "$answer"
[[ $answer == '{"error":'* ]] && exit 1
exit 0
