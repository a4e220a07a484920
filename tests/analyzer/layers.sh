#!/bin/sh
# layers.sh ROOT - the analyzer's layers (docs/architecture.md) as rules
# on its sources:
#   - lib/ and base/ never print: no printf family (snprintf into a
#     buffer is not printing), puts, putchar, fwrite, perror, no stdout or
#     stderr;
#   - lib/ and base/ include nothing from render/, cli/ or cmd/;
#   - cmd/ prints only through render/ and cli/;
#   - render/ includes nothing from cli/ or cmd/; cli/ nothing from cmd/.
# Prints each breach with its file and line; exits 1 if there is one.
set -u
root=${1:?usage: layers.sh ROOT}
cd "$root/analyzer" || exit 1

status=0
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
breach() {
    # $1: what the rule says; $tmp: the lines that break it
    if [ -s "$tmp" ]; then
        sed "s|^|layers: $1: |" "$tmp"
        status=1
    fi
}

# the comments may speak of printing: blank them (line numbers kept)
code() {
    awk 'FNR == 1 { inc = 0 }
    {
        out = ""; line = $0
        while (line != "") {
            if (inc) {
                i = index(line, "*/")
                if (i == 0) {
                    line = ""
                } else {
                    line = substr(line, i + 2); inc = 0
                }
            } else {
                i = index(line, "/*")
                if (i == 0) {
                    out = out line; line = ""
                } else {
                    out = out substr(line, 1, i - 1)
                    line = substr(line, i + 2); inc = 1
                }
            }
        }
        print FILENAME ":" FNR ": " out
    }' "$@"
}

quiet=$(ls lib/*.[ch] base/*.[ch])
stream_call='\b(printf|v?fprintf|vprintf|dprintf|puts|fputs|putchar|fputc|putc'
stream_call=$stream_call'|fwrite|perror)[[:space:]]*\('
std_stream='\b(stdout|stderr)\b'
code $quiet \
    | grep -E "$stream_call|$std_stream" \
    > "$tmp"
breach "prints (lib/ and base/ compute only)"
code cmd/*.c | grep -E "$stream_call" > "$tmp"
breach "prints (cmd/ prints through render/ and cli/)"

grep -nE '#include "(render|cli|cmd)/' $quiet > "$tmp"
breach "lib/ and base/ use no later layer"
grep -nE '#include "(cli|cmd)/' render/*.[ch] > "$tmp"
breach "render/ uses no cli/ or cmd/"
grep -nE '#include "cmd/' cli/*.[ch] > "$tmp"
breach "cli/ uses no cmd/"

# the check checks something: these folders hold the code it reads
for d in lib base render cli cmd; do
    if [ -z "$(ls $d/*.c 2>/dev/null)" ]; then
        echo "layers: analyzer/$d/ has no source file" >&2
        status=1
    fi
done
exit $status
