"""A request handler with eight classic leaks from web services and
libraries, for `muppy-analyze leaks` and its ground truth.

    python3 leak_patterns.py OUTDIR [--requests N] [--only NAME,...]

Each simulated request leaks once in each of these ways (the names are
those of the ground truth):

  request_cache     an unbounded dict cache keyed by request data (the
                    path and query string, a new str per request)
  signal_receivers  a receiver connected per request to a module-level
                    signal (Django-style: a list of (lookup key, receiver)
                    pairs), never disconnected
  open_sessions     a unit-of-work session opened per request and never
                    closed: the connection pool keeps its checked-out
                    connection, which keeps the session and its new objects
  tenant_logger     a logging.Handler added per request to a logger the
                    workload itself created (the first request of a tenant)
  background_tasks  an asyncio task per request kept in a module-level set
  class_registry    a class-level list every instance appends itself to
  teardown_hooks    a closure per request appended to the app's hook list
  quote_cache       functools.lru_cache on a method: every calculator
                    (self) and every result stays in the cache

Among them runs a transient workload that frees what it allocates, and a
bounded deque of the recent requests (transient: its entries of TARGET are
gone by FINAL).  The request id (a str) and the request number (an int)
are shared by several leaks.

It serves warm-up requests (imports, caches, the event loop), dumps BASE,
serves N requests, dumps TARGET, serves N more, dumps FINAL, and writes
OUTDIR/truth.json (leak_truth.py says what it holds).
"""
import argparse
import asyncio
import collections
import functools
import gc
import json
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leak_truth  # noqa: E402

import muppy  # noqa: E402


class Request:
    def __init__(self, rid, tenant):
        self.rid = rid
        self.request_id = "req-%06d" % rid
        self.tenant = tenant
        self.path = "/orders/%d" % (rid % 97)
        self.query = "page=%d&sort=date" % rid
        self.headers = {"x-request-id": self.request_id, "accept": "*/*"}


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body


# -- 1. an unbounded cache keyed by request data -----------------------------
_RENDER_CACHE = {}


def render(req):
    key = "%s?%s" % (req.path, req.query)
    resp = _RENDER_CACHE.get(key)
    if resp is None:
        body = json.dumps({"id": req.rid, "items": list(range(8))}).encode()
        resp = Response(200, {"content-type": "application/json",
                              "x-request-id": req.request_id}, body)
        _RENDER_CACHE[key] = resp
    return resp


# -- 2. a signal whose receivers are connected per request -------------------
class Signal:
    """Django's dispatcher in miniature: strong receivers by default."""

    def __init__(self, name):
        self.name = name
        self.receivers = []
        self.sender_receivers_cache = {}

    def connect(self, receiver, sender=None):
        lookup_key = (id(receiver), id(sender))
        self.receivers.append((lookup_key, receiver))
        self.sender_receivers_cache.clear()

    def send(self, sender, **named):
        return [(r, r(sender, **named)) for _, r in self.receivers[-3:]]


request_finished = Signal("request_finished")


def connect_audit(req):
    stats = {"request_id": req.request_id, "bytes": 0, "calls": 0}

    def on_finished(sender, **kw):          # captures stats: never freed
        stats["calls"] += 1
        return stats["request_id"]
    request_finished.connect(on_finished)


# -- 3. sessions never closed, kept by the connection pool -------------------
class Order:
    def __init__(self, oid, sku, qty):
        self.oid = oid
        self.sku = sku
        self.qty = qty
        self.lines = [("sku", sku), ("qty", qty)]


class Connection:
    def __init__(self, conn_id, session):
        self.conn_id = conn_id
        self.session = session
        self.cursor_cache = {}


class ConnectionPool:
    def __init__(self):
        self._checked_out = {}      # conn_id -> Connection
        self._next = 1000

    def checkout(self, session):
        self._next += 1
        conn = Connection(self._next, session)
        self._checked_out[conn.conn_id] = conn
        return conn

    def checkin(self, conn):
        del self._checked_out[conn.conn_id]


POOL = ConnectionPool()


class Session:
    def __init__(self, pool):
        self.pool = pool
        self.identity_map = {}
        self._new = {}
        self.connection = None

    def add(self, obj):
        self._new[id(obj)] = obj

    def execute(self):
        if self.connection is None:
            self.connection = self.pool.checkout(self)
        return len(self._new)

    def close(self):                 # what the handler forgets to call
        if self.connection is not None:
            self.pool.checkin(self.connection)
            self.connection = None


def place_order(req):
    session = Session(POOL)
    session.add(Order(req.rid, "sku-%d" % (req.rid % 13), req.rid % 5 + 1))
    session.execute()
    # session.close() is missing


# -- 4. a handler per request on a logger the workload created ---------------
class RequestLogHandler(logging.Handler):
    def __init__(self, req):
        super().__init__()
        self.request_id = req.request_id
        self.lines = ["start %s" % req.request_id]

    def emit(self, record):
        self.lines.append(self.format(record))


def tenant_logger(tenant):
    log = logging.getLogger("patterns.tenant." + tenant)
    log.propagate = False
    return log


def log_request(req):
    tenant_logger(req.tenant).addHandler(RequestLogHandler(req))


# -- 5. asyncio tasks kept in a module-level set -----------------------------
BACKGROUND_TASKS = set()


async def send_audit(summary):
    await asyncio.sleep(0)
    return {"sent": summary}


def audit_later(loop, req):
    task = loop.create_task(send_audit((req.request_id, req.rid)))
    BACKGROUND_TASKS.add(task)      # never discarded
    loop.run_until_complete(task)


# -- 6. a class-level registry of instances ----------------------------------
class AuditRecord:
    registry = []

    def __init__(self, req):
        self.request_id = req.request_id
        self.fields = {"tenant": req.tenant, "path": req.path}
        AuditRecord.registry.append(self)


# -- 7. closures appended to the app's hook list -----------------------------
class App:
    def __init__(self):
        self.teardown_hooks = []

    def teardown(self, fn):
        self.teardown_hooks.append(fn)


APP = App()


def register_teardown(req):
    state = {"rid": req.rid, "buffers": [bytearray(64)]}
    APP.teardown(lambda: state["buffers"].clear())


# -- 8. lru_cache on a method ------------------------------------------------
class PriceCalculator:
    def __init__(self, tenant, rid):
        self.tenant = tenant
        self.rates = {"base": 1.0 + rid % 7 / 10.0}

    @functools.lru_cache(maxsize=None)          # self is in the key
    def quote(self, sku, qty):
        return (sku, qty, round(self.rates["base"] * qty * 9.99, 2))


def quote(req):
    PriceCalculator(req.tenant, req.rid).quote("sku-%d" % (req.rid % 13),
                                               req.rid % 5 + 1)


# -- transient ---------------------------------------------------------------
RECENT = collections.deque(maxlen=16)       # bounded: churns, never grows


def transient_work(req):
    rows = [{"id": req.rid, "n": i, "tags": ["a", "b", str(i)]}
            for i in range(40)]
    RECENT.append({"request_id": req.request_id, "rows": len(rows),
                   "summary": repr(rows[:2])})
    return sum(len(r["tags"]) for r in rows)


PATTERNS = {
    "request_cache": render,
    "signal_receivers": connect_audit,
    "open_sessions": place_order,
    "tenant_logger": log_request,
    "background_tasks": None,           # needs the loop
    "class_registry": AuditRecord,
    "teardown_hooks": register_teardown,
    "quote_cache": quote,
}


def handle(loop, rid, tenant, only):
    req = Request(rid, tenant)
    for name, fn in PATTERNS.items():
        if name not in only:
            continue
        if name == "background_tasks":
            audit_later(loop, req)
        else:
            fn(req)
    request_finished.send(req)
    transient_work(req)


def describe(truth, only):
    def cache():
        return leak_truth.contents(_RENDER_CACHE)

    def receivers():
        return leak_truth.contents(request_finished.receivers)

    def sessions():
        return leak_truth.contents(POOL._checked_out)

    def logger():
        log = logging.Logger.manager.loggerDict.get("patterns.tenant.acme")
        return ([log] + list(log.handlers)) if log is not None else []

    def tasks():
        return list(BACKGROUND_TASKS)

    def registry():
        return list(AuditRecord.registry)

    def hooks():
        return list(APP.teardown_hooks)

    def quotes():
        return leak_truth.contents(_lru_cache_dict(PriceCalculator.quote))

    table = [
        ("request_cache", "cache keyed by request data",
         "_RENDER_CACHE", cache, ["_RENDER_CACHE"]),
        ("signal_receivers", "signal receivers connected per request",
         "request_finished.receivers", receivers, ["Signal", ".receivers"]),
        ("open_sessions", "sessions never closed (kept by the pool)",
         "POOL._checked_out", sessions, ["ConnectionPool", "._checked_out"]),
        ("tenant_logger", "handlers added to a logger the workload created",
         "Logger 'patterns.tenant.acme' .handlers", logger,
         ["Logger", "patterns.tenant.acme", ".handlers"]),
        ("background_tasks", "asyncio tasks kept in a module-level set",
         "BACKGROUND_TASKS", tasks, ["BACKGROUND_TASKS"]),
        ("class_registry", "class-level registry of instances",
         "AuditRecord.registry", registry, ["AuditRecord", ".registry"]),
        ("teardown_hooks", "closures appended to a hook list",
         "APP.teardown_hooks", hooks, ["APP", ".teardown_hooks"]),
        ("quote_cache", "functools.lru_cache on a method",
         "PriceCalculator.quote's cache", quotes,
         ["PriceCalculator.quote", "lru_cache"]),
    ]
    for name, pattern, holder, fn, label in table:
        if name in only:
            truth.leak(name, pattern, holder, fn, label)
    truth.transient(lambda: list(RECENT) + [d["summary"] for d in RECENT])

    def shared():
        # the request id strs that more than one leak refers to
        out = []
        for r in AuditRecord.registry:
            out.append(r.request_id)
        for h in getattr(logging.Logger.manager.loggerDict.get(
                "patterns.tenant.acme"), "handlers", ()):
            out.append(h.request_id)
        return out
    truth.shared(shared)


def _lru_cache_dict(wrapper):
    """The dict behind a C lru_cache wrapper (found through gc: the wrapper
    does not expose it)."""
    for r in gc.get_referents(wrapper):
        if isinstance(r, dict) and r is not getattr(wrapper, "__dict__",
                                                    None):
            return r
    return {}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--only", default=",".join(PATTERNS),
                    help="comma-separated leak names (default: all)")
    args = ap.parse_args(argv)
    only = set(args.only.split(","))
    unknown = only - set(PATTERNS)
    if unknown:
        ap.error("unknown leak names: %s" % ", ".join(sorted(unknown)))
    os.makedirs(args.outdir, exist_ok=True)
    truth = leak_truth.Truth("leak_patterns")
    describe(truth, only)
    loop = asyncio.new_event_loop()
    rid = 0
    for _ in range(3):                      # warm up: another tenant
        rid += 1
        handle(loop, rid, "warmup", only)
    for _ in range(RECENT.maxlen):          # the deque full before BASE
        rid += 1
        transient_work(Request(rid, "warmup"))
    snaps = {}
    for name in ("base", "target", "final"):
        if name != "base":
            for _ in range(args.requests):
                rid += 1
                handle(loop, rid, "acme", only)
        gc.collect()
        if name == "base":
            truth.before_base()
        path = os.path.join(args.outdir, name + ".snap")
        muppy.dump(path)
        snaps[name] = name + ".snap"
        if name == "target":
            truth.after_target()
    loop.close()
    truth.write(os.path.join(args.outdir, "truth.json"), args.requests,
                snaps, patterns=sorted(only))
    print("wrote %s/{base,target,final}.snap and truth.json (%d requests "
          "each)" % (args.outdir, args.requests), file=sys.stderr)


if __name__ == "__main__":
    main()
