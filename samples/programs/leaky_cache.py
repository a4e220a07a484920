"""A small "web service" that leaks its request objects: the sample program
of the muppy README.

The service routes simulated HTTP requests to handlers, renders JSON-like
responses through a (correctly bounded) LRU cache, and keeps per-client
statistics.  The bug: every request registers a cleanup hook,
`RequestContext.on_shutdown`, with the service's `shutdown_hooks` list so
that it can flush its audit log at shutdown - and nothing ever removes it.
The bound method keeps the RequestContext alive, with its parsed headers,
its body buffer and its response.

Run it under the dumper:

    muppy-dump run -o leak.snap samples/programs/leaky_cache.py
    muppy-analyze summary leak.snap
    muppy-analyze paths --type RequestContext leak.snap

or let it dump itself before and after serving more requests:

    python3 samples/programs/leaky_cache.py /tmp/leak      # writes
        /tmp/leak/before.snap and /tmp/leak/after.snap
    muppy-analyze diff /tmp/leak/before.snap /tmp/leak/after.snap
    muppy-analyze diff --objects /tmp/leak/before.snap /tmp/leak/after.snap
    muppy-analyze paths --type RequestContext /tmp/leak/after.snap

Options: --requests N (per phase, default 2000), --no-leak (the fixed
service: hooks are removed when a request ends).
"""
import argparse
import collections
import gc
import json
import os
import random
import sys

ROUTES = ["/", "/users", "/users/{id}", "/orders", "/orders/{id}", "/search"]


class Headers:
    __slots__ = ("items",)

    def __init__(self, raw):
        self.items = {k.lower(): v for k, v in raw}


class Request:
    def __init__(self, rid, method, path, query, headers, body):
        self.rid = rid
        self.method = method
        self.path = path
        self.query = query
        self.headers = Headers(headers)
        self.body = bytearray(body)


class Response:
    def __init__(self, status, payload):
        self.status = status
        self.payload = payload
        self.encoded = json.dumps(payload).encode()


class RequestContext:
    """Everything the service knows about one request while serving it."""

    def __init__(self, service, request):
        self.service = service
        self.request = request
        self.response = None
        self.audit = ["received %s %s" % (request.method, request.path)]

    def on_shutdown(self):
        # flush the audit log; registered with the service, never removed
        return len(self.audit)


class LRUCache:
    """A bounded cache: NOT the leak (compare its size between dumps)."""

    def __init__(self, capacity):
        self.capacity = capacity
        self.data = collections.OrderedDict()

    def get(self, key):
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key, value):
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.capacity:
            self.data.popitem(last=False)


class Service:
    def __init__(self, leak=True):
        self.leak = leak
        self.shutdown_hooks = []         # <- the leak lives here
        self.cache = LRUCache(256)
        self.stats = collections.Counter()
        self.users = {i: {"id": i, "name": "user%d" % i,
                          "tags": ["t%d" % (i % 7), "t%d" % (i % 11)]}
                      for i in range(500)}
        self.handlers = {
            "/": self.index, "/users": self.list_users,
            "/users/{id}": self.get_user, "/orders": self.list_orders,
            "/orders/{id}": self.get_order, "/search": self.search,
        }

    # handlers
    def index(self, req):
        return {"service": "demo", "routes": len(self.handlers)}

    def list_users(self, req):
        return [u["id"] for u in list(self.users.values())[:20]]

    def get_user(self, req):
        return self.users.get(int(req.query.get("id", 0)) % 500)

    def list_orders(self, req):
        return [{"order": i, "amount": i * 3.5} for i in range(10)]

    def get_order(self, req):
        return {"order": req.query.get("id"), "items": [1, 2, 3]}

    def search(self, req):
        q = req.query.get("q", "")
        return [u["name"] for u in self.users.values() if q in u["name"]][:5]

    def handle(self, request):
        ctx = RequestContext(self, request)
        self.shutdown_hooks.append(ctx.on_shutdown)
        try:
            key = (request.path, tuple(sorted(request.query.items())))
            response = self.cache.get(key)
            if response is None:
                payload = self.handlers[request.path](request)
                response = Response(200, payload)
                self.cache.put(key, response)
            ctx.response = response
            ctx.audit.append("sent %d" % response.status)
            self.stats[request.headers.items.get("x-client", "?")] += 1
            return response
        finally:
            if not self.leak:
                self.shutdown_hooks.remove(ctx.on_shutdown)


def traffic(rng, n, start=0):
    """Simulated requests."""
    for rid in range(start, start + n):
        path = rng.choice(ROUTES)
        query = {"id": str(rng.randrange(10000))} if "{id}" in path else {}
        if path == "/search":
            query = {"q": "user%d" % rng.randrange(50)}
        headers = [("Host", "demo.example"),
                   ("X-Client", "client-%d" % rng.randrange(20)),
                   ("Accept", "application/json")]
        yield Request(rid, "GET", path, query, headers,
                      b"x" * rng.randrange(64, 512))


SERVICE = None


def serve(service, rng, n, start=0):
    for req in traffic(rng, n, start):
        service.handle(req)


def main(argv=None):
    global SERVICE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", nargs="?",
                    help="dump before.snap and after.snap into this folder")
    ap.add_argument("--requests", type=int, default=2000,
                    help="requests per phase (default 2000)")
    ap.add_argument("--no-leak", action="store_true",
                    help="remove the hooks: the service without the bug")
    args = ap.parse_args(argv)
    rng = random.Random(42)
    SERVICE = Service(leak=not args.no_leak)
    serve(SERVICE, rng, args.requests)
    if args.outdir is None:
        print("served %d requests; %d shutdown hooks registered"
              % (args.requests, len(SERVICE.shutdown_hooks)), file=sys.stderr)
        return 0
    import muppy
    os.makedirs(args.outdir, exist_ok=True)
    before = os.path.join(args.outdir, "before.snap")
    after = os.path.join(args.outdir, "after.snap")
    gc.collect()
    muppy.dump(before)
    serve(SERVICE, rng, args.requests, start=args.requests)
    gc.collect()
    muppy.dump(after)
    print("wrote %s and %s (%d shutdown hooks)"
          % (before, after, len(SERVICE.shutdown_hooks)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
