"""The code that runs inside the target during muppy-dump attach.

launcher(socket_path): a few lines that the injector (or gdb, or
sys.remote_exec) makes the target run.  They connect to the attach's
socket (_workdir.py), read the payload that muppy-dump sends back, and
run it in a fresh namespace.  A launcher that finds nobody listening (the
attach is over, or another launcher got there first) does nothing.

payload(output, options): dumps with this muppy (sys.path gets its parent
folder for the import only), sends one status line back and waits for
muppy-dump's acknowledgement.  No acknowledgement (muppy-dump was killed,
or gave up at its deadline): the snapshot is removed, so a failed attach
leaves no file.

parse_status(line): the status line as a dict, or AttachError.
"""
import os
import re

from ._proc import AttachError

# Runs in the target's __main__ through PyRun_SimpleString: everything in
# a fresh namespace, every error swallowed (nothing printed there).
_LAUNCHER = """\
code = s = None
try:
    import _socket as S
    s = S.socket(S.AF_UNIX, S.SOCK_STREAM)
    s.settimeout(10.0)
    s.connect(%(path)r)
    h = b''
    while not h.endswith(b'\\n'):
        c = s.recv(1)
        if not c or len(h) > 40:
            raise EOFError
        h += c
    n = int(h.split()[1])
    src = b''
    while len(src) < n:
        c = s.recv(n - len(src))
        if not c:
            raise EOFError
        src += c
    code = compile(src, '<muppy attach>', 'exec')
except BaseException:
    if s is not None:
        s.close()
else:
    exec(code, {'__name__': '__muppy_attach__', 'sock': s})
"""

_PAYLOAD = """\
import os, sys
import _socket

def finish(line, written):
    acked = False
    try:
        sock.settimeout(30.0)
        sock.sendall(line.encode('utf-8', 'replace') + b'\\n',
                     _socket.MSG_NOSIGNAL)
        acked = sock.recv(16).startswith(b'ack')
    except BaseException:
        pass
    finally:
        sock.close()
    if written and not acked:
        # muppy-dump is gone or gave up: the attach failed, no file stays
        try:
            os.unlink(written)
        except OSError:
            pass

def err(e):
    return 'error %%s %%s' %% (type(e).__name__, ' '.join(str(e).split()))

def ok(r, pause):
    return 'ok %%d %%d %%d %%.6f %%.6f' %% (r.objects, r.edges,
                                       r.bytes_written, r.seconds, pause)

try:
    muppy = sys.modules.get('muppy')
    if getattr(muppy, '_muppy', None) is None:
        sys.path.insert(0, %(parent)r)
        try:
            import muppy
        finally:
            try:
                sys.path.remove(%(parent)r)
            except ValueError:
                pass
    r = muppy.dump(%(output)r, labels=%(labels)r,
                   include_strings=%(include_strings)r, level=%(level)r,
                   background=%(background)r)
    if %(background)r:
        import threading
        def wait(bg=r):
            try:
                line, written = ok(bg.wait(), bg.pause_seconds), bg.path
            except BaseException as e:
                line, written = err(e), None
            finish(line, written)
        threading.Thread(target=wait, name='muppy-attach', daemon=True).start()
    else:
        finish(ok(r, r.seconds), r.path)
except BaseException as e:
    finish(err(e), None)
"""

# gdb and the injector run one line: PyRun_SimpleString's argument.  Its
# parser's arena (a list of every token's objects) lives until the line
# returns, and so would exec(str)'s: compile() frees its own at once, so
# the dump does not see the launcher's tokens.
_ONE_LINE = "exec(compile(%r, '<muppy launcher>', 'exec'), {})"

_STATUS_OK = re.compile(r"^ok (\d+) (\d+) (\d+) ([0-9.]+) ([0-9.]+)$")


def launcher(path):
    """The Python source (one line) that makes the target fetch and run
    the payload from the socket at `path`."""
    return _ONE_LINE % (_LAUNCHER % {"path": path})


def payload(output, options):
    """The payload's source (bytes): dump to `output` with `options`
    (labels, include_strings, level, background)."""
    parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    names = {"output": output, "parent": parent}
    names.update(options)
    return (_PAYLOAD % names).encode("utf-8")


def parse_status(pid, line):
    """{'objects', 'edges', 'bytes_written', 'seconds', 'pause_seconds'}
    from the target's status line, or AttachError (a failed dump, or a
    line that is not a status: read as data, nothing more)."""
    m = _STATUS_OK.match(line)
    if m:
        return {"objects": int(m.group(1)), "edges": int(m.group(2)),
                "bytes_written": int(m.group(3)),
                "seconds": float(m.group(4)),
                "pause_seconds": float(m.group(5))}
    if line.startswith("error "):
        text = "".join(c if c.isprintable() else "?" for c in line[6:])
        raise AttachError("the dump in process %d failed: %s"
                          % (pid, text.strip()[:300]))
    raise AttachError("process %d sent no status (%r)" % (pid, line[:80]))
