#!/usr/bin/env bash
# Makes the asana-access development certificate set with openssl: the same files, modes and
# extensions as `asana-accessd certs dev`. See certs/README.md.
#
#   certs/make-dev-certs.sh [--force] [--hosts LIST] [--client NAME] [DIR]
#       a new CA, server and client certificate in DIR (default: certs/dev beside this script)
#   certs/make-dev-certs.sh --rotate-server [--hosts LIST] [DIR]
#       a new server key and certificate from the CA already in DIR (clients keep trusting it)
#   certs/make-dev-certs.sh --add-client NAME [DIR]
#       one more client key and certificate from the CA in DIR: NAME.pem and NAME-key.pem
#
# LIST is comma-separated; IPv4/IPv6 literals become IP SANs, anything else DNS SANs
# (default: localhost,127.0.0.1,::1). NAME is the client certificate's CN, which the server
# maps to a principal (default: dev-admin).
set -euo pipefail

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

force=0 mode=full hosts="localhost,127.0.0.1,::1" client=dev-admin dir=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --force) force=1 ;;
        --rotate-server) mode=rotate-server ;;
        --add-client) mode=add-client; client="${2:?--add-client needs a name}"; shift ;;
        --hosts) hosts="${2:?--hosts needs a list}"; shift ;;
        --client) client="${2:?--client needs a name}"; shift ;;
        -h|--help) usage 0 ;;
        -*) echo "unknown option: $1" >&2; usage 2 >&2 ;;
        *) [[ -z "$dir" ]] || { echo "one directory only" >&2; exit 2; }; dir="$1" ;;
    esac
    shift
done
dir="${dir:-$(cd "$(dirname "$0")" && pwd)/dev}"

command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 1; }
if [[ -z "$client" || ${#client} -gt 64 || "$client" == */* ]]; then
    echo "client name must be 1 to 64 characters without '/'" >&2; exit 2
fi

umask 077                      # keys are created 0600, the directory 0700
org="asana-access development"
ca_days=3652                   # 10 years
leaf_days=825

# subjectAltName value from the host list.
san=""
IFS=',' read -r -a host_list <<< "$hosts"
[[ ${#host_list[@]} -gt 0 ]] || { echo "--hosts needs at least one host" >&2; exit 2; }
trim_host() {  # strip surrounding blanks and IPv6 brackets
    local h="$1"
    h="${h#"${h%%[![:space:]]*}"}"; h="${h%"${h##*[![:space:]]}"}"
    h="${h#[}"; h="${h%]}"
    printf '%s' "$h"
}
for h in "${host_list[@]}"; do
    h="$(trim_host "$h")"
    [[ -n "$h" ]] || continue
    if [[ "$h" == *:* || "$h" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
        san+="${san:+, }IP:$h"
    elif [[ "$h" =~ ^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$ \
            && ! "$h" =~ (^|\.)[0-9]+$ ]]; then
        h="${h,,}"
        san+="${san:+, }DNS:$h"
    else
        echo "not a host name or IP address: $h" >&2; exit 2
    fi
done
server_cn="$(trim_host "${host_list[0]}")"
[[ "$server_cn" == *:* || "$server_cn" =~ ^[0-9.]+$ ]] || server_cn="${server_cn,,}"

if [[ ! -d "$dir" ]]; then
    mkdir -p "$dir"
    chmod 700 "$dir"
fi
stage="$(mktemp -d "$dir/.staging.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

cat > "$stage/ext.cnf" <<CNF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $san
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

serial() { echo "0x$(openssl rand -hex 16)"; }
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# leaf NAME-IN-STAGE SUBJECT-CN EXT-SECTION CA-DIR
leaf() {
    new_key "$stage/$1-key.pem"
    openssl req -new -config "$stage/ext.cnf" -key "$stage/$1-key.pem" \
        -subj "/O=$org/CN=$2" -out "$stage/$1.csr"
    openssl x509 -req -in "$stage/$1.csr" -CA "$4/ca.pem" -CAkey "$4/ca-key.pem" \
        -set_serial "$(serial)" -days "$leaf_days" -sha256 \
        -extfile "$stage/ext.cnf" -extensions "$3" -out "$stage/$1.pem" 2>/dev/null
    openssl verify -CAfile "$4/ca.pem" "$stage/$1.pem" >/dev/null
}

# install NAME...: move staged files into place, certificates 0644, keys 0600.
install_files() {
    for name in "$@"; do
        chmod 600 "$stage/$name-key.pem"
        chmod 644 "$stage/$name.pem"
        mv -f "$stage/$name-key.pem" "$dir/$name-key.pem"
        mv -f "$stage/$name.pem" "$dir/$name.pem"
        echo "wrote $dir/$name.pem and $dir/$name-key.pem"
    done
}

refuse_existing() {
    [[ $force -eq 1 ]] && return
    for f in "$@"; do
        if [[ -e "$dir/$f" ]]; then
            echo "$dir/$f already exists; not replacing it (use --force)" >&2; exit 1
        fi
    done
}

need_ca() {
    [[ -f "$dir/ca.pem" && -f "$dir/ca-key.pem" ]] || { echo "no CA in $dir (make a set first)" >&2; exit 1; }
}

case "$mode" in
full)
    refuse_existing ca.pem ca-key.pem server.pem server-key.pem client.pem client-key.pem
    new_key "$stage/ca-key.pem"
    openssl req -new -x509 -config "$stage/ext.cnf" -key "$stage/ca-key.pem" \
        -subj "/O=$org/CN=asana-access dev CA" -set_serial "$(serial)" -days "$ca_days" -sha256 \
        -extensions ca_ext -out "$stage/ca.pem"
    leaf server "$server_cn" server_ext "$stage"
    leaf client "$client" client_ext "$stage"
    install_files ca server client
    ;;
rotate-server)
    need_ca
    leaf server "$server_cn" server_ext "$dir"
    install_files server
    ;;
add-client)
    need_ca
    case "$client" in ca|server|client) echo "'$client' would overwrite a file of the set" >&2; exit 2 ;; esac
    refuse_existing "$client.pem" "$client-key.pem"
    leaf "$client" "$client" client_ext "$dir"
    install_files "$client"
    ;;
esac
