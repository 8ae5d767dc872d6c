"""Armed failures, injected through POST /_sim/faults and consumed by the vendor endpoints.

A fault fires on the next `count` matching events (default 1; -1 = until cleared). Kinds:

  http_error      an APIG call (op = route name, "evs.*", or "*") answers `status` with the service's
                  error envelope (or APIG's: status 429 defaults to APIGW.0308)
  dorado_error    a Dorado call (op = login, logout, lun, snapshot, activate, get_unshared, get_alloc,
                  or "*") answers HTTP 200 with error.code = `code`
  job_fail        the next job of `job_type` ends FAIL with `error_code` / `fail_reason`
  job_stuck       the next job of `job_type` stays RUNNING until POST /_sim/jobs/{id}/release
  job_vanish      the next job of `job_type` answers 404 from the start (its work still happens
                  unless apply=false), as if the job record had been cleaned up early
  snapshot_error  the next EVS snapshot (of `volume_id`, if given) ends in status "error"
"""
import threading

from .util import new_hex32

KINDS = ("http_error", "dorado_error", "job_fail", "job_stuck", "job_vanish", "snapshot_error")


def _glob(pattern, value):
    if pattern in (None, "*"):
        return True
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return pattern == value


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._armed = []

    def add(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault must be a JSON object")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise ValueError("fault kind %r is not one of %s" % (kind, ", ".join(KINDS)))
        count = spec.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count == 0 or count < -1:
            raise ValueError("fault count must be a positive integer or -1, got %r" % (count,))
        f = dict(spec)
        f["count"] = count
        if kind == "http_error":
            status = f.get("status")
            if not isinstance(status, int) or not 400 <= status <= 599:
                raise ValueError("http_error needs status 400..599, got %r" % (status,))
            f.setdefault("op", "*")
        elif kind == "dorado_error":
            if not isinstance(f.get("code"), int):
                raise ValueError("dorado_error needs an integer code, got %r" % (f.get("code"),))
            f.setdefault("op", "*")
            f.setdefault("description", "injected error %d" % f["code"])
        elif kind == "job_fail":
            if not f.get("error_code"):
                raise ValueError("job_fail needs error_code (for example \"Ecs.0042\")")
            f.setdefault("fail_reason", "injected failure " + f["error_code"])
            f.setdefault("job_type", "*")
        elif kind in ("job_stuck", "job_vanish"):
            f.setdefault("job_type", "*")
            f.setdefault("apply", True)
        f["id"] = new_hex32()[:12]
        f["fired"] = 0
        with self._lock:
            self._armed.append(f)
        return f

    def take(self, fault_kind, **attrs):
        """The first armed fault of `fault_kind` whose match fields fit `attrs`, consumed once; or None."""
        kind = fault_kind
        with self._lock:
            for f in self._armed:
                if f["kind"] != kind:
                    continue
                if kind in ("http_error", "dorado_error") and not _glob(f.get("op"), attrs.get("op", "")):
                    continue
                if kind.startswith("job_") and not (
                        _glob(f.get("job_type"), attrs.get("job_type", ""))
                        or _glob(f.get("job_type"), attrs.get("kind", ""))):
                    continue
                if kind == "snapshot_error" and f.get("volume_id") not in (None, attrs.get("volume_id")):
                    continue
                f["fired"] += 1
                if f["count"] > 0:
                    f["count"] -= 1
                    if f["count"] == 0:
                        self._armed.remove(f)
                return dict(f)
        return None

    def list(self):
        with self._lock:
            return [dict(f) for f in self._armed]

    def remove(self, fault_id):
        with self._lock:
            n = len(self._armed)
            self._armed = [f for f in self._armed if f["id"] != fault_id]
            return len(self._armed) != n

    def clear(self):
        with self._lock:
            self._armed = []
