"""A Flask + SQLAlchemy order service with three leaks, to be dumped from
outside with `muppy-dump attach` (it never imports muppy itself).

    python3 flask_leaks.py OUTDIR

(Debian: apt-get install python3-flask python3-sqlalchemy python3-blinker,
and run it with the interpreter they serve.)  It listens on 127.0.0.1 on a
free port, written to OUTDIR/port once it serves.  GET /order?sku=S&qty=N
with an X-Request-Id header places an order:

  signal_receivers  a blinker receiver is connected to the order_placed
                    signal per request with weak=False and never
                    disconnected (the receiver closes over the request's
                    audit dict)
  session_new       the service's one SQLAlchemy Session is never
                    committed nor closed: every order stays pending in its
                    identity-keyed `_new` dict
  result_cache      an unbounded dict cache of results keyed by request id

Besides, a bounded deque keeps the 16 latest results (transient).

The driver (tests/analyzer/test_leak_programs.py) warms the service up,
then: GET /_truth/base, dumps BASE, sends N requests, GET /_truth/gc,
dumps TARGET, GET /_truth/target, sends N more, GET /_truth/gc, dumps
FINAL, GET /_truth/final, which writes OUTDIR/truth.json (leak_truth.py
says what it holds), and GET /_shutdown.

With --signal-dumps, SIGUSR1 makes the service dump itself into OUTDIR
(muppy.dump_on_signal; muppy must be importable): a fallback for when
attaching does not work here.
"""
import argparse
import collections
import gc
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import leak_truth  # noqa: E402

from blinker import Namespace  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from sqlalchemy import Column, Integer, String, create_engine  # noqa: E402
from sqlalchemy.orm import Session, declarative_base  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    sku = Column(String(32))
    qty = Column(Integer)
    note = Column(String(200))


app = Flask(__name__)
engine = create_engine("sqlite://")
Base.metadata.create_all(engine)
db = Session(engine)                    # leak 2: never committed or closed
signals = Namespace()
order_placed = signals.signal("order-placed")
RESULTS = {}                            # leak 3: keyed by request id
RECENT = collections.deque(maxlen=16)   # transient
TRUTH = leak_truth.Truth("flask_leaks")
OUTDIR = None
SERVER = None


@app.route("/order")
def place_order():
    rid = request.headers.get("X-Request-Id", "none")
    sku = request.args.get("sku", "sku-1")
    qty = int(request.args.get("qty", "1"))
    order = Order(sku=sku, qty=qty, note="placed by %s" % rid)
    db.add(order)
    audit = {"request_id": rid, "sku": sku, "seen": 0}

    def on_placed(sender, **kw):        # leak 1: connected per request
        audit["seen"] += 1
    order_placed.connect(on_placed, weak=False)
    order_placed.send(app, order=order)
    result = {"request_id": rid, "sku": sku, "qty": qty,
              "total": round(qty * 9.99, 2)}
    RESULTS[rid] = result
    RECENT.append({"request_id": rid, "total": result["total"],
                   "echo": "%s x%d" % (sku, qty)})
    return jsonify(result)


def _signal_units():
    s = order_placed
    units = leak_truth.contents(s.receivers)
    units += leak_truth.contents(s._by_receiver)
    for ids in s._by_sender.values():
        units += list(ids)
    return units


TRUTH.leak("signal_receivers", "blinker receiver connected per request "
           "(weak=False)", "NamedSignal 'order-placed' .receivers",
           _signal_units, ["NamedSignal", ".receivers"])
TRUTH.leak("session_new", "Session never closed: pending objects in _new",
           "Session ._new", lambda: leak_truth.contents(db._new),
           ["Session", "._new"])
TRUTH.leak("result_cache", "unbounded dict cache keyed by request id",
           "RESULTS", lambda: leak_truth.contents(RESULTS), ["RESULTS"])
TRUTH.transient(lambda: list(RECENT) + [d["echo"] for d in RECENT])
TRUTH.shared(lambda: list(RESULTS.keys()))


@app.route("/_truth/<phase>")
def truth(phase):
    if phase == "gc":
        gc.collect()
    elif phase == "base":
        TRUTH.before_base()
    elif phase == "target":
        TRUTH.after_target()
    elif phase == "final":
        TRUTH.write(os.path.join(OUTDIR, "truth.json"),
                    int(request.args.get("requests", "0")),
                    {n: n + ".snap" for n in ("base", "target", "final")})
    else:
        return "unknown phase", 404
    return "ok"


@app.route("/_shutdown")
def shutdown():
    threading.Thread(target=SERVER.shutdown).start()
    return "bye"


def main(argv=None):
    global OUTDIR, SERVER
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir")
    ap.add_argument("--signal-dumps", action="store_true")
    args = ap.parse_args(argv)
    OUTDIR = os.path.abspath(args.outdir)
    os.makedirs(OUTDIR, exist_ok=True)
    if args.signal_dumps:
        import signal
        import muppy
        muppy.dump_on_signal(signal.SIGUSR1, OUTDIR)
    SERVER = make_server("127.0.0.1", 0, app, threaded=False)
    tmp = os.path.join(OUTDIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % SERVER.server_port)
    os.replace(tmp, os.path.join(OUTDIR, "port"))
    SERVER.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
