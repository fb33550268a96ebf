#!/usr/bin/env bash
# Tests the committed completion scripts in real shells: bash (the function registered with
# `complete`, called the way readline calls it), fish (`complete -C`) and zsh (compinit and
# `_asana-access` driven through a pseudo-terminal with zsh/zpty, TAB typed after the line).
# fish and zsh are skipped, with a SKIP line, when they are not installed
# (scripts/install-deps.sh installs both on Debian/Ubuntu).
#
# Usage: clients/completions/test-completions.sh [path/to/asana-access]
#   The binary defaults to .build/debug/asana-access of the repository; a relative path is taken
#   from the current directory, else from the repository root. It is put on PATH in every shell,
#   as the scripts may call it for dynamic completions.
# Prints one PASS/FAIL/SKIP line per check and ends with "N passed, M failed[, K skipped]";
# exits 1 when a check failed, 2 when the binary is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

binary=${1:-.build/debug/asana-access}
if [[ $binary != /* ]]; then
  if [[ -e $binary ]]; then
    binary="$PWD/$binary"
  else
    binary="$root/$binary"
  fi
fi
if [[ ! -x $binary ]]; then
  echo "error: no executable asana-access at $binary (build it: swift build --product asana-access)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/asana-access-completions.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The shells find the binary as `asana-access`, whatever its file is called; they run in an empty
# directory so that no file name can pass for a completion.
mkdir -p "$work/bin" "$work/cwd" "$work/home"
ln -s "$binary" "$work/bin/asana-access"
export PATH="$work/bin:$PATH"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"

passed=0
failed=0
skipped=0

# The checks, one per line: the command line to complete (cursor at its end), a tab, the expected
# completions separated by spaces (compared as sorted sets), a tab, a short name for the report.
checks=$'asana-access li\tlist-users\tli -> list-users
asana-access list-users --wor\t--workspace\tlist-users --wor -> --workspace
asana-access provision --action \tadd remove\tprovision --action -> add remove'
check_count=$(printf '%s\n' "$checks" | wc -l)

# report SHELL NAME EXPECTED ACTUAL: EXPECTED is space separated, ACTUAL one completion a line.
report() {
  local shell=$1 name=$2 expected actual
  expected=$(tr ' ' '\n' <<<"$3" | sed '/^$/d' | LC_ALL=C sort -u | paste -sd ' ' -)
  actual=$(printf '%s\n' "$4" | sed '/^$/d' | LC_ALL=C sort -u | paste -sd ' ' -)
  if [[ $expected == "$actual" ]]; then
    echo "PASS $shell: $name"
    passed=$((passed + 1))
  else
    echo "FAIL $shell: $name (expected '$expected', got '$actual')"
    failed=$((failed + 1))
  fi
}

skip() {
  echo "SKIP $1: $2 ($check_count checks)"
  skipped=$((skipped + check_count))
}

# --- bash: the function `complete -p asana-access` names, called as readline calls it ---------
bash_complete() {
  local line=$1
  (cd "$work/cwd" && bash --norc --noprofile -c '
    set -u
    source "$1" || exit 90
    spec=$(complete -p asana-access) || { echo "no complete spec for asana-access" >&2; exit 91; }
    [[ $spec =~ -F\ ([^ ]+) ]] || { echo "complete spec has no -F function: $spec" >&2; exit 92; }
    function=${BASH_REMATCH[1]}
    COMP_LINE=$2
    COMP_POINT=${#COMP_LINE}
    read -ra COMP_WORDS <<<"$COMP_LINE"
    [[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_TYPE=9 COMP_KEY=9
    COMPREPLY=()
    "$function" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    (( ${#COMPREPLY[@]} == 0 )) || printf "%s\n" "${COMPREPLY[@]}"
  ' bash "$here/asana-access.bash" "$line")
}

# --- fish: complete -C, descriptions (after a tab) dropped -------------------------------------
fish_complete() {
  local line=$1
  (cd "$work/cwd" && fish --no-config -c 'source $argv[1]; or exit 90; complete -C $argv[2]' \
    "$here/asana-access.fish" "$line") | cut -f1
}

# --- zsh: an interactive zsh in a pty (zsh/zpty) with compinit and _asana-access on fpath; the
# line is typed followed by TAB, and a compadd wrapper appends every match offered to a file. ----
cat >"$work/zsh-harness.zsh" <<'ZSH'
# usage: zsh -f zsh-harness.zsh DIR-WITH-_asana-access WORK-DIR LINE
emulate -L zsh
zmodload zsh/zpty || { print -u2 'zsh/zpty is not available'; exit 93 }
local compdir=$1 work=$2 line=$3
local out=$work/zsh-matches ready=$work/zsh-ready finished=$work/zsh-finished
rm -f $out $ready $finished
print -r -- "
PS1= PROMPT= RPROMPT= PS2=
unsetopt prompt_sp
fpath=(${(q)compdir} \$fpath)
autoload -U compinit && compinit -u -D
bindkey '^I' complete-word
zstyle ':completion:*' insert-tab false
compadd() {
  # calls that only collect or filter (-O, -A, -D) offer nothing: pass them through
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd \"\$@\"; return
  fi
  local -a __capture_hits
  builtin compadd -A __capture_hits \"\$@\"
  (( \$#__capture_hits )) && print -rl -- \$__capture_hits >> ${(q)out}
  builtin compadd \"\$@\"
}
__capture_finished() { : > ${(q)finished} }
comppostfuncs=(__capture_finished)
: > ${(q)ready}
" > $work/zsh-init.zsh
zpty capture zsh -f -i
zpty -w capture "source ${(q)work}/zsh-init.zsh"
local -i i
local junk
for (( i = 0; i < 300; i++ )); do
  [[ -e $ready ]] && break
  zpty -r -t capture junk 2>/dev/null
  sleep 0.05
done
[[ -e $ready ]] || { print -u2 'the zsh in the pty did not start'; zpty -d capture; exit 94 }
zpty -n -w capture "$line"$'\t'
for (( i = 0; i < 300; i++ )); do
  [[ -e $finished ]] && break
  zpty -r -t capture junk 2>/dev/null
  sleep 0.05
done
zpty -d capture
[[ -e $finished ]] || { print -u2 'the completion did not finish'; exit 95 }
[[ -e $out ]] && cat $out
exit 0
ZSH

zsh_complete() {
  local line=$1
  (cd "$work/cwd" && zsh -f "$work/zsh-harness.zsh" "$here" "$work" "$line")
}

# run_checks SHELL FUNCTION
run_checks() {
  local shell=$1 function=$2 line expected name actual
  while IFS=$'\t' read -r line expected name; do
    if actual=$("$function" "$line" 2>"$work/stderr"); then
      report "$shell" "$name" "$expected" "$actual"
    else
      echo "FAIL $shell: $name (the shell failed with status $?: $(tr '\n' ' ' <"$work/stderr"))"
      failed=$((failed + 1))
    fi
  done <<<"$checks"
}

run_checks bash bash_complete

if command -v fish >/dev/null 2>&1; then
  run_checks fish fish_complete
else
  skip fish "not installed"
fi

if ! command -v zsh >/dev/null 2>&1; then
  skip zsh "not installed"
elif ! zsh -fc 'zmodload zsh/zpty' 2>/dev/null; then
  skip zsh "the zsh/zpty module is not available"
else
  run_checks zsh zsh_complete
fi

summary="$passed passed, $failed failed"
[[ $skipped -gt 0 ]] && summary+=", $skipped skipped"
echo "$summary"
[[ $failed -eq 0 ]]
