"""A streaming .heapsnapshot loader with the rules of Chrome DevTools'
HeapSnapshotLoader (front_end/entrypoints/heap_snapshot_worker/
HeapSnapshotLoader.ts), for the tests of `muppy-analyze export --format
heapsnapshot`.

Like DevTools it reads the file in chunks and only ever searches forward:
the "snapshot" object first (parsed as JSON once balanced), then the
"nodes" and "edges" arrays (digits only: anything else separates numbers,
so a minus sign or a fraction would be silently misread; values are
stored in 32-bit arrays, so larger ones would wrap), then "samples" and
"locations" when meta declares their fields, then "strings", which must
come last (DevTools takes everything up to the last ']').  Where DevTools
would silently misread, this loader raises LoaderError instead.
"""
import json

CHUNK = 64 * 1024


class LoaderError(Exception):
    pass


class _Stream:
    def __init__(self, path):
        self.f = open(path, "rb")
        self.buf = ""
        self.done = False
        self.decoder = None
        import codecs
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def more(self):
        if self.done:
            return False
        data = self.f.read(CHUNK)
        if not data:
            self.done = True
            self.buf += self.decoder.decode(b"", final=True)
            self.f.close()
            return False
        self.buf += self.decoder.decode(data)
        return True

    def find(self, token, start=0):
        while True:
            pos = self.buf.find(token, start)
            if pos >= 0:
                return pos
            start = max(0, len(self.buf) - len(token) + 1)
            if not self.more():
                raise LoaderError("token %r not found" % token)


def _balanced_object(stream, start):
    """The JSON object starting at stream.buf[start] ('{'), parsed."""
    depth, i, in_str, esc = 0, start, False, False
    while True:
        while i < len(stream.buf):
            c = stream.buf[i]
            if in_str:
                if esc:
                    esc = False
                elif c == "\\":
                    esc = True
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    obj = json.loads(stream.buf[start:i + 1])
                    stream.buf = stream.buf[i + 1:]
                    return obj
            i += 1
        if not stream.more():
            raise LoaderError("unbalanced snapshot object")


def _uint_array(stream, name, expected):
    """The numbers of array `name` (DevTools' parseUintArray)."""
    pos = stream.find('"%s"' % name)
    pos = stream.find("[", pos)
    stream.buf = stream.buf[pos + 1:]
    out = []
    num = None
    i = 0
    while True:
        while i < len(stream.buf):
            c = stream.buf[i]
            if "0" <= c <= "9":
                num = (num or 0) * 10 + (ord(c) - 48)
            else:
                if num is not None:
                    if num >= 2 ** 32:
                        raise LoaderError("%s: %d does not fit 32 bits"
                                          % (name, num))
                    out.append(num)
                    num = None
                if c == "]":
                    stream.buf = stream.buf[i + 1:]
                    if expected is not None and len(out) != expected:
                        raise LoaderError("%s: %d numbers, expected %d"
                                          % (name, len(out), expected))
                    return out
                if c not in ", \n\r\t":
                    raise LoaderError("%s: %r in a number array (DevTools "
                                      "would misread it)" % (name, c))
            i += 1
        stream.buf = ""
        i = 0
        if not stream.more():
            raise LoaderError("%s: unterminated array" % name)


def load(path):
    """Load a .heapsnapshot the way DevTools does; returns a dict with
    snapshot, nodes, edges, samples, locations, strings."""
    s = _Stream(path)
    pos = s.find('"snapshot"')
    pos = s.find("{", pos + len('"snapshot"'))
    snap = _balanced_object(s, pos)
    meta = snap["meta"]
    nodes = _uint_array(s, "nodes",
                        len(meta["node_fields"]) * snap["node_count"])
    edges = _uint_array(s, "edges",
                        len(meta["edge_fields"]) * snap["edge_count"])
    if snap.get("trace_function_count"):
        raise LoaderError("trace functions are not expected")
    samples = (_uint_array(s, "samples", None) if meta.get("sample_fields")
               else [])
    locations = (_uint_array(s, "locations", None)
                 if meta.get("location_fields") else [])
    pos = s.find('"strings"')
    pos = s.find("[", pos)
    while s.more():
        pass
    rest = s.buf[pos:]
    end = rest.rfind("]")
    if end < 0:
        raise LoaderError("strings: incomplete")
    strings = json.loads(rest[:end + 1])
    if rest[end + 1:].strip() != "}":
        raise LoaderError("something follows the strings: %r"
                          % rest[end + 1:end + 40])
    return {"snapshot": snap, "nodes": nodes, "edges": edges,
            "samples": samples, "locations": locations, "strings": strings}
