set -x
cd /src/main
MUPPY_CFLAGS="-Wall -Wextra -Werror -g -O0" python3.14d -m pip install --no-build-isolation --no-deps --no-index -q --target /tmp/m ./ 2>&1 | tail -5
cd /tmp
PYTHONPATH=/tmp/m python3.14d -c "import muppy; print(muppy.dump('/tmp/x.snap'))"
echo rc=$?
PYTHONPATH=/tmp/m gdb -q -batch -ex run -ex bt -ex 'info registers rip' --args python3.14d -c "import muppy; print(muppy.dump('/tmp/x.snap'))" 2>&1 | tail -40
