#!/bin/sh
# Every test vector in samples/ (*.snap) must have its two lines in
# samples/expect.txt, "FILE normal ..." and "FILE partial ...", so that
# test_samples checks it: a new sample without its expected result fails
# here instead of going untested.
# Usage: tests/format/samples_listed.sh SAMPLES_DIR
set -u
dir=${1:?usage: samples_listed.sh SAMPLES_DIR}
expect="$dir/expect.txt"
if [ ! -f "$expect" ]; then
    echo "samples_listed: cannot open '$expect'" >&2
    exit 1
fi
n=0
bad=0
for f in "$dir"/*.snap; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    n=$((n + 1))
    for mode in normal partial; do
        if ! grep -q "^$name $mode " "$expect"; then
            echo "samples_listed: '$name' has no '$mode' line in" \
                 "'$expect'" >&2
            bad=$((bad + 1))
        fi
    done
done
echo "samples_listed: $n samples, $bad missing lines"
[ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
