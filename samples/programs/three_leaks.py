"""A request handler with three classic leaks, for `muppy-analyze leaks`.

    python3 three_leaks.py OUTDIR [--requests N]

Each request leaks in three ways, among a transient workload that frees
everything else it allocates:

1. an ``functools.lru_cache`` on a method: the cache keys keep every
   ``Request`` (``self``) alive;
2. a ``logging.Handler`` added to a logger per request (and so also a weak
   reference to it in ``logging._handlerList``, logging's own registry);
3. an asyncio task kept in a module-level set, never discarded.

It runs one request to warm up (imports, caches, the event loop), then
dumps BASE, serves N requests, dumps TARGET, serves N more, dumps FINAL:

    muppy-analyze leaks OUTDIR/base.snap OUTDIR/target.snap OUTDIR/final.snap

finds three entries, one per leak, each named by its container (the
method's lru_cache, the logger's handler list, the task set) and each
gaining N of the objects of its leak, and nothing of the transient
workload.
"""
import argparse
import asyncio
import functools
import gc
import logging
import os
import sys

import muppy

BACKGROUND_TASKS = set()        # leak 3: tasks added, never discarded
LOG = logging.getLogger("three_leaks.requests")
LOG.propagate = False


class Request:
    def __init__(self, rid, body):
        self.rid = rid
        self.body = body
        self.headers = {"x-request-id": str(rid), "accept": "*/*"}

    @functools.lru_cache(maxsize=None)      # leak 1: self is in the key
    def is_large(self):
        return len(self.body) > 1000


class RequestLogHandler(logging.Handler):
    """A handler a careless middleware adds for each request."""

    def __init__(self, rid):
        super().__init__()
        self.rid = rid
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


async def audit(rid):
    await asyncio.sleep(0)
    return rid


def transient_work(rid):
    """Allocates plenty and keeps nothing."""
    rows = [{"id": rid, "n": i, "tags": ["a", "b", str(i)]} for i in range(50)]
    text = "\n".join(repr(r) for r in rows)
    return len(text)


def handle(loop, rid):
    req = Request(rid, b"x" * (100 + rid % 2000))
    req.is_large()                                  # leak 1
    LOG.addHandler(RequestLogHandler(rid))          # leak 2
    task = loop.create_task(audit(rid))
    BACKGROUND_TASKS.add(task)                      # leak 3
    loop.run_until_complete(task)
    transient_work(rid)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--requests", type=int, default=100)
    args = ap.parse_args(argv)
    os.makedirs(args.outdir, exist_ok=True)
    loop = asyncio.new_event_loop()
    rid = 0
    handle(loop, rid)                               # warm up
    for name in ("base", "target", "final"):
        if name != "base":
            for _ in range(args.requests):
                rid += 1
                handle(loop, rid)
        gc.collect()
        muppy.dump(os.path.join(args.outdir, name + ".snap"))
    loop.close()
    print("wrote %s/{base,target,final}.snap (%d requests each)"
          % (args.outdir, args.requests), file=sys.stderr)


if __name__ == "__main__":
    main()
