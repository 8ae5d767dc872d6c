"""Small helpers shared by every module: ids, time stamps in the vendors' formats, file writes."""
import datetime
import json
import os
import secrets
import tempfile
import time
import uuid


class ApiError(Exception):
    """An answer in a vendor's error envelope. The app that catches it renders it as-is."""

    def __init__(self, status, body, headers=None):
        super().__init__("%s %s" % (status, body))
        self.status = status
        self.body = body
        self.headers = headers or []


def now():
    return time.time()


def _utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def ts_job(t):
    """Job times: 2016-04-25T20:04:47.591Z (milliseconds, Z)."""
    d = _utc(t)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def ts_token(t):
    """Token times: 2022-07-22T07:59:59.869000Z (microseconds, Z)."""
    return _utc(t).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ts_evs(t):
    """EVS created_at: 2022-05-11T02:59:15.824963 (microseconds, no zone)."""
    return _utc(t).strftime("%Y-%m-%dT%H:%M:%S.%f")


def ts_ecs(t):
    """ECS created/updated: 2018-08-13T13:46:09Z."""
    return _utc(t).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uuid():
    return str(uuid.uuid4())


def new_hex32():
    return secrets.token_hex(16)


def atomic_write(path, data, mode=0o600):
    """Writes a whole file or nothing (temp file + rename), so a crash never leaves half a state file."""
    d = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def as_int(value, what, minimum=None):
    """Parses a query or body integer; raises ValueError with a message naming the parameter."""
    if isinstance(value, bool):
        raise ValueError("%s must be an integer, got %r" % (what, value))
    if isinstance(value, int):
        v = value
    else:
        s = str(value).strip()
        if not s or not (s.isdigit() or (s[0] == "-" and s[1:].isdigit())):
            raise ValueError("%s must be an integer, got %r" % (what, value))
        v = int(s)
    if minimum is not None and v < minimum:
        raise ValueError("%s must be >= %d, got %d" % (what, minimum, v))
    return v
