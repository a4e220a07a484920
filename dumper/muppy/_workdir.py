"""Where muppy-dump attach meets the target: one Unix socket in a private
directory.

    with Rendezvous(info) as rv:
        ... make the target run _payload.launcher(rv.path) ...
        conn = rv.accept(deadline, tick)     # the target connected
        line = rv.converse(conn, payload, deadline, tick)   # its status

The directory (tempfile.mkdtemp: /tmp/muppy-attach-XXXXXXXX) belongs to
muppy-dump's user and nobody else can write into it: when the target runs
as another user (root attaching to a service), the directory is 0711 (it
can reach the socket, not list or create anything) and only the socket is
given to the target's user.  The target writes no file there: it talks
through the socket (payload in, one status line out), and muppy-dump
reads that line as data.  muppy-dump itself writes no other file: gdb's
commands and output go through unnamed files (_gdb.py); only
sys.remote_exec (3.14+, where the injector does not run) needs a script
file, in a directory of its own (_attach._RemoteScript).

The first connection from the target (its pid checked with SO_PEERCRED)
claims the attach: the socket and the directory are removed at once, so
the dump runs at most once however many launchers were scheduled, and
never after muppy-dump gave up.  A small cleaner process (/bin/sh, in a
session of its own, no child of muppy-dump's) removes the directory if
muppy-dump dies before that.  The cleaner starts before the directory
exists and learns its name through its pipe right after mkdtemp, so a
kill -9 at any moment leaves nothing behind (the window between the two
system calls is microseconds, where a fork and exec would be
milliseconds).
"""
import os
import select
import socket
import struct
import subprocess
import tempfile
import time

from ._proc import AttachError

SOCKET_NAME = "s"
STATUS_MAX = 4096
# A shell that leaves a background job and exits at once (so the job is
# nobody's child here): the job reads the directory's name (a mkdtemp
# name, no slash or newline) from the lifeline pipe (fd 3; a background
# job's stdin is /dev/null), waits for the pipe's end, then removes the
# directory under $1
_CLEANER = ('exec 3<&0 </dev/null; (read -r d <&3 || exit 0; '
            'case "$d" in ""|*/*|.|..) exit 0;; esac; '
            'while read -r _ <&3; do :; done; '
            'rm -f -- "$1/$d/%s"; rmdir -- "$1/$d") &' % SOCKET_NAME)


def _tempbase(other_user):
    # another user must reach the socket: /tmp, not a TMPDIR that may be
    # private; and an AF_UNIX path holds 107 bytes
    base = tempfile.gettempdir()
    if other_user or len(base) > 70:
        base = "/tmp"
    return base


class Rendezvous:
    def __init__(self, info):
        self.pid = info["pid"]
        other_user = info["uid"] != os.geteuid()
        base = _tempbase(other_user)
        self._cleaner = None
        self._lifeline = -1
        self.listener = None
        self.dir = self.path = None
        self._start_cleaner(base)
        try:
            self.dir = tempfile.mkdtemp(prefix="muppy-attach-", dir=base)
        except BaseException:
            self.close()
            raise
        if self._lifeline >= 0:             # 0700, ours; the cleaner's
            name = os.path.basename(self.dir) + "\n"
            try:
                os.write(self._lifeline, name.encode())
            except OSError:
                pass
        self.path = os.path.join(self.dir, SOCKET_NAME)
        try:
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(self.path)
            self.listener.listen(8)
            self.listener.setblocking(False)
            if other_user:
                # the target's user may use the socket, and only reach it
                os.chown(self.path, info["uid"], info["gid"],
                         follow_symlinks=False)
                os.chmod(self.path, 0o600, follow_symlinks=False)
                os.chmod(self.dir, 0o711)
        except BaseException:
            self.close()
            raise

    def _start_cleaner(self, base):
        r, w = os.pipe()
        try:
            self._cleaner = subprocess.Popen(
                ["/bin/sh", "-c", _CLEANER, "muppy-attach-cleaner",
                 base], stdin=r, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            os.close(w)         # no cleaner: attach() cleans as usual
            w = -1
        finally:
            os.close(r)
        self._lifeline = w

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def remove(self):
        """Remove the socket and the directory (no new connection)."""
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.dir is None:
            return
        for f in (lambda: os.unlink(self.path), lambda: os.rmdir(self.dir)):
            try:
                f()
            except OSError:
                pass

    def close(self):
        self.remove()
        if self._lifeline >= 0:
            os.close(self._lifeline)        # the cleaner ends
            self._lifeline = -1
        if self._cleaner is not None:
            try:
                self._cleaner.wait(5)       # the shell, gone at once
            except subprocess.TimeoutExpired:
                pass
            self._cleaner = None

    def accept(self, deadline, tick, poll=0.05):
        """The target's connection, or None at the deadline; tick() runs
        between two looks (it may raise).  Connections from any other
        process are closed."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.listener], [], [],
                                        min(left, poll))
            if ready:
                try:
                    conn, _ = self.listener.accept()
                except (BlockingIOError, InterruptedError):
                    continue
                cred = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                       struct.calcsize("3i"))
                if struct.unpack("3i", cred)[0] == self.pid:
                    self.remove()       # claimed: nobody else gets in
                    return conn
                conn.close()
                continue
            tick()

    def converse(self, conn, payload, deadline, tick, poll=0.1):
        """Send the payload, then wait for the status line until the
        deadline; acknowledge it.  The line, or None at the deadline (the
        connection is then closed: the target discards its snapshot), or
        "" when the target closed the connection without one."""
        conn.setblocking(True)
        conn.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            conn.sendall(b"payload %d\n" % len(payload) + payload)
        except socket.timeout:
            return None
        except OSError:
            return ""
        data = b""
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([conn], [], [], min(left, poll))
            if not ready:
                tick()
                continue
            try:
                chunk = conn.recv(STATUS_MAX)
            except OSError:
                return ""
            if not chunk:
                return ""
            data += chunk
            if len(data) > STATUS_MAX:
                raise AttachError("process %d sent a status line of more "
                                  "than %d bytes" % (self.pid, STATUS_MAX))
        try:
            conn.sendall(b"ack\n")
        except OSError:
            pass
        return data.split(b"\n", 1)[0].decode("utf-8", "replace")
