"""Ground truth of the leak test programs: which objects each planted leak
put into the heap, which objects were only transient, which were shared.

A program describes each leak by a function that returns its current
*units*: the objects the leaky code stored (the values and keys of a
cache, the receivers of a signal, the handlers of a logger and the logger
itself when the workload created it).  The helper then records:

    truth.before_base()      just before BASE is dumped: the identities
                             (id()) of the units already there (warm-up)
    truth.after_target()     just after TARGET is dumped, before the
                             workload runs again: the units that are new
                             since BASE (planted in round 1), the transient
                             and the shared objects alive then, as
                             addresses; written to disk at once and the
                             Python objects dropped, so that nothing the
                             helper keeps is new in TARGET and alive in FINAL
    truth.write(path, ...)   after FINAL: the JSON file

The JSON file (one per run):

    {"program": NAME, "requests": N, "snapshots": {...},
     "leaks": [{"name", "pattern", "holder", "label": [words],
                "units": ["0x7f..", ...],
                "unit_types": {"Response": 300, ...}}, ...],
     "transient": ["0x..", ...],   alive in TARGET, freed before FINAL
     "shared": ["0x..", ...]}      new objects several leaks refer to

A test reads the units of a leak, finds them in FINAL by address and
computes what they retain (the objects every path from a root to which
passes through a unit) to check what muppy-analyze reports.  Only the
standard library is used, and nothing here runs while a snapshot is
taken.
"""
import gc
import json
import os


def contents(container):
    """The objects a container holds: keys and values of a mapping, the
    items of a sequence or set."""
    if isinstance(container, dict):
        return list(container.keys()) + list(container.values())
    return list(container)


def address(obj):
    return "0x%x" % id(obj)


class Truth:
    def __init__(self, program):
        self.program = program
        self.leaks = []         # (name, pattern, holder text, units_fn)
        self.transient_fn = None
        self.shared_fn = None
        self._base_ids = {}
        self._target = None

    def leak(self, name, pattern, holder, units_fn, label=()):
        """Describe a planted leak: units_fn() returns its current units;
        `label`: words a report should name the leak's container with."""
        self.leaks.append((name, pattern, holder, units_fn, tuple(label)))

    def transient(self, fn):
        """fn() returns objects alive now that the workload frees later."""
        self.transient_fn = fn

    def shared(self, fn):
        """fn() returns new objects that several leaks refer to."""
        self.shared_fn = fn

    def before_base(self):
        for name, _, _, units_fn, _ in self.leaks:
            self._base_ids[name] = frozenset(id(u) for u in units_fn())
        self._transient_base = frozenset(
            id(o) for o in (self.transient_fn() if self.transient_fn
                            else ()))
        gc.collect()

    def after_target(self):
        """Record round 1, as text only (a JSON string)."""
        out = {"leaks": [], "transient": [], "shared": []}
        for name, pattern, holder, units_fn, label in self.leaks:
            base = self._base_ids[name]
            seen = set()
            units = []
            for u in units_fn():
                if id(u) not in base and id(u) not in seen:
                    seen.add(id(u))
                    units.append(u)
            del seen
            types = {}
            for u in units:
                t = type(u).__qualname__
                types[t] = types.get(t, 0) + 1
            out["leaks"].append({
                "name": name, "pattern": pattern, "holder": holder,
                "label": list(label),
                "units": [address(u) for u in units], "unit_types": types})
            del units
        if self.transient_fn:
            out["transient"] = [address(o) for o in self.transient_fn()
                                if id(o) not in self._transient_base]
        if self.shared_fn:
            out["shared"] = sorted(set(address(o)
                                       for o in self.shared_fn()))
        self._target = json.dumps(out)
        del out
        self._base_ids = {}
        gc.collect()

    def write(self, path, requests, snapshots, **extra):
        data = json.loads(self._target)
        data.update(program=self.program, requests=requests,
                    snapshots=snapshots, **extra)
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
