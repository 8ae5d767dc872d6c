"""OceanStor Dorado V6 deviceManager REST (§4.1 D1-D7): sessions, LUNs, snapshots, activation and
the lun_bitmap calls. Every answer is HTTP 200 with {"data": ..., "error": {"code", "description"}}.

Sessions: POST /deviceManager/rest/<anything>/sessions logs in; later calls must use the array's
deviceid in the path and send both the iBaseToken header and the session cookie. A session idle for
dorado_session_idle_seconds is gone; so is every session when the simulator restarts.
"""
import hmac
import re
import secrets

from . import bitmap
from .server import BadRequest, Response, Router
from .util import as_int, now

OK = {"code": 0, "description": "0"}
PARAM_ERROR = 50331651
LUN_NOT_EXIST = 1077936859
SNAPSHOT_NOT_EXIST = 1077937880
OBJECT_NOT_EXIST = 1077948996
UNAUTHORIZED = -401
PAGE_DEFAULT = 100


class DoradoError(Exception):
    def __init__(self, code, description, suggestion=None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.suggestion = suggestion


def envelope(data=None, error=None):
    return {"data": {} if data is None else data, "error": error or OK}


def _ok(data, headers=None):
    return Response(200, envelope(data), headers=headers)


class DoradoApp:
    name = "dorado"
    access_log = True

    def __init__(self, state, tls):
        self.state = state
        self.tls = tls
        self.router = Router()
        r = self.router.add
        r("POST", r"sessions", login, "login", auth=False)
        r("DELETE", r"sessions", logout, "logout")
        r("GET", r"lun/count", count_luns, "lun")
        r("GET", r"lun/(?P<obj_id>[^/]+)", get_lun, "lun")
        r("GET", r"lun", list_luns, "lun")
        r("GET", r"snapshot/count", count_snapshots, "snapshot")
        r("POST", r"snapshot/activate", activate_snapshots, "activate")
        r("GET", r"snapshot/(?P<obj_id>[^/]+)", get_snapshot, "snapshot")
        r("GET", r"snapshot", list_snapshots, "snapshot")
        r("GET", r"lun_bitmap/get_unshared", get_unshared, "get_unshared")
        r("GET", r"lun_bitmap/get_alloc", get_alloc, "get_alloc")

    def internal_error(self, message):
        return Response(200, envelope(error={"code": 1077949002, "description": message}))

    def handle(self, req):
        try:
            return self._handle(req)
        except DoradoError as e:
            err = {"code": e.code, "description": e.description}
            if e.suggestion:
                err["suggestion"] = e.suggestion
            return Response(200, envelope(error=err))
        except BadRequest as e:
            return Response(200, envelope(error={"code": PARAM_ERROR, "description": str(e)}))

    def _handle(self, req):
        m = re.match(r"^/deviceManager/rest/(?P<dev>[^/]+)/(?P<rest>.+?)/?$", req.path)
        if not m:
            raise DoradoError(PARAM_ERROR, "unknown URL %s: Dorado paths are /deviceManager/rest/{deviceId}/..."
                              % req.path)
        route, params = self.router.match(req.method, m.group("rest"))
        if route is None:
            raise DoradoError(PARAM_ERROR, "%s %s is not a simulated deviceManager resource%s" % (
                req.method, m.group("rest"), " (it exists for another method)" if params else ""))
        fault = self.state.faults.take("dorado_error", op=route.name)
        if fault is not None:
            raise DoradoError(fault["code"], fault["description"])
        with self.state.lock:
            if route.extra.get("auth", True):
                self._check_session(req, m.group("dev"))
            result = route.handler(self, req, **params)
        return result if isinstance(result, Response) else _ok(result)

    def cookie_of(self, req):
        name = self.state.cfg.dorado_cookie_name
        raw = req.header("Cookie") or ""
        for part in raw.split(";"):
            k, sep, v = part.strip().partition("=")
            if sep and k == name:
                return v
        return None

    def _check_session(self, req, dev):
        st = self.state
        token = req.header("iBaseToken")
        if not token:
            raise DoradoError(UNAUTHORIZED, "unauthorized: no iBaseToken header; log in first (POST .../sessions)")
        s = st.sessions.get(token)
        if s is None:
            raise DoradoError(UNAUTHORIZED, "unauthorized: the session of this iBaseToken does not exist "
                              "(expired, logged out or dropped); log in again")
        cookie = self.cookie_of(req)
        if cookie is None:
            raise DoradoError(UNAUTHORIZED, "unauthorized: no session cookie %r in the Cookie header"
                              % st.cfg.dorado_cookie_name)
        if not hmac.compare_digest(cookie, s["cookie"]):
            raise DoradoError(UNAUTHORIZED, "unauthorized: the session cookie does not belong to this iBaseToken")
        t = now()
        if t - s["last"] > st.cfg.dorado_session_idle_seconds:
            del st.sessions[token]
            raise DoradoError(UNAUTHORIZED, "unauthorized: the session expired after %.0f s idle; log in again"
                              % st.cfg.dorado_session_idle_seconds)
        if dev != s["device"]:
            raise DoradoError(UNAUTHORIZED, "unauthorized: the session belongs to device %s, the URL names %s"
                              % (s["device"], dev))
        s["last"] = t
        req.session_token = token


# ---------------------------------------------------------------------- sessions

def login(app, req):
    st, cfg = app.state, app.state.cfg
    body = req.json()
    user, password, scope = body.get("username"), body.get("password"), body.get("scope", "0")
    if not isinstance(user, str) or not isinstance(password, str):
        raise DoradoError(PARAM_ERROR, "username and password (strings) are required")
    if str(scope) not in ("0", "1", "2"):
        raise DoradoError(PARAM_ERROR, "scope must be \"0\" (local user), \"1\" (LDAP) or \"2\", got %r" % (scope,))
    if not (hmac.compare_digest(user.encode(), cfg.dorado_user.encode())
            and hmac.compare_digest(password.encode(), app.password.encode())):
        raise DoradoError(cfg.dorado_login_error_code, "The user name or password is incorrect.")
    token = secrets.token_hex(32)
    cookie = "ismsession=" + secrets.token_hex(24)
    st.sessions[token] = {"cookie": cookie, "user": user, "device": cfg.array_sn, "last": now(),
                          "created": now()}
    attrs = "; path=/; HttpOnly" + ("; secure" if app.tls else "")
    data = {"deviceid": cfg.array_sn, "iBaseToken": token, "username": user, "accountstate": cfg.dorado_accountstate,
            "userscope": str(scope), "usergroup": "", "level": 2, "roleId": "1", "userid": user,
            "lastloginip": req.client[0], "lastlogintime": int(now()), "pwdchanged": 1}
    return _ok(data, [("Set-Cookie", "%s=%s%s" % (cfg.dorado_cookie_name, cookie, attrs))])


def logout(app, req):
    app.state.sessions.pop(req.session_token, None)
    return {}


# ---------------------------------------------------------------------- LUNs and snapshots

def _lookup(st, obj_id, kind):
    """The object, or the vendor's not-found code: a deleted snapshot says 'snapshot does not exist'."""
    lun = st.d["luns"].get(obj_id)
    if lun is not None and (kind is None or lun["kind"] == kind):
        return lun
    gone = st.d["tombstones"].get(obj_id) or (lun["kind"] if lun else None)
    if gone == "snapshot" or (gone is None and kind == "snapshot"):
        raise DoradoError(SNAPSHOT_NOT_EXIST, "The snapshot does not exist. (ID %s)" % obj_id)
    if gone == "lun" or kind == "lun":
        raise DoradoError(LUN_NOT_EXIST, "The LUN does not exist. (ID %s)" % obj_id)
    raise DoradoError(OBJECT_NOT_EXIST, "The object does not exist. (ID %s)" % obj_id)


def lun_json(st, lun):
    fam = st.families[lun["ID"]]
    vol = st.d["volumes"].get(lun.get("volume_id"), {})
    return {
        "ID": lun["ID"], "NAME": lun["NAME"], "TYPE": "11", "WWN": st.wwn(lun["ID"]),
        "CAPACITY": str(fam.size // 512), "ALLOCCAPACITY": str(fam.map.allocated_grains() * fam.grain // 512),
        "SECTORSIZE": "512", "PARENTID": "0", "PARENTNAME": "StoragePool001", "PARENTTYPE": "216",
        "HEALTHSTATUS": "1", "RUNNINGSTATUS": "53" if vol.get("status") == "creating" else "27",
        "ALLOCTYPE": "1", "DESCRIPTION": "", "ISADD2LUNGROUP": "true" if vol.get("attachments") else "false",
        "EXPOSEDTOINITIATOR": "false", "SNAPSHOTIDS": "[%s]" % ",".join(
            i for i, l in sorted(st.d["luns"].items(), key=lambda kv: int(kv[0]))
            if l["kind"] == "snapshot" and l["PARENTID"] == lun["ID"]),
        st.cfg.chunk_size_field: str(fam.grain),
    }


def snapshot_json(st, lun):
    parent = st.d["luns"].get(lun["PARENTID"], {})
    sectors = str(lun["size"] // 512)
    return {
        "ID": lun["ID"], "NAME": lun["NAME"], "TYPE": "27", "DESCRIPTION": lun["DESCRIPTION"],
        "PARENTID": lun["PARENTID"], "PARENTNAME": parent.get("NAME", ""), "PARENTTYPE": "11",
        "WWN": st.wwn(lun["ID"]), "HEALTHSTATUS": "1", "RUNNINGSTATUS": lun["RUNNINGSTATUS"],
        "USERCAPACITY": sectors, "CAPACITY": sectors, "TIMESTAMP": str(int(lun["created"])),
        "ROLLBACKSTATUS": "0", st.cfg.chunk_size_field: str(lun["grain"]),
    }


FILTER_FIELDS = ("ID", "NAME", "WWN", "PARENTID", "DESCRIPTION")


def _selected(app, req, kind):
    st = app.state
    objs = sorted((l for l in st.d["luns"].values() if l["kind"] == kind), key=lambda l: int(l["ID"]))
    f = req.q("filter")
    if f:
        field, sep, value = f.partition("::")
        if not sep or field not in FILTER_FIELDS:
            raise DoradoError(PARAM_ERROR, "filter must be FIELD::value with FIELD one of %s, got %r"
                              % (", ".join(FILTER_FIELDS), f))
        if field == "WWN":
            objs = [o for o in objs if st.wwn(o["ID"]) == value.lower()]
        elif field == "PARENTID" and kind == "lun":
            objs = [o for o in objs if value == "0"]
        else:
            objs = [o for o in objs if str(o.get(field, "")) == value]
    return objs


def _range(req):
    r = req.q("range")
    if r is None:
        return 0, PAGE_DEFAULT
    m = re.match(r"^\[(\d+)-(\d+)\]$", r)
    if not m or int(m.group(1)) > int(m.group(2)):
        raise DoradoError(PARAM_ERROR, "range must be [start-end] with start <= end (end exclusive), got %r" % r)
    return int(m.group(1)), int(m.group(2))


def get_lun(app, req, obj_id):
    return lun_json(app.state, _lookup(app.state, obj_id, "lun"))


def list_luns(app, req):
    a, b = _range(req)
    return [lun_json(app.state, o) for o in _selected(app, req, "lun")[a:b]]


def count_luns(app, req):
    return {"COUNT": str(len(_selected(app, req, "lun")))}


def get_snapshot(app, req, obj_id):
    return snapshot_json(app.state, _lookup(app.state, obj_id, "snapshot"))


def list_snapshots(app, req):
    a, b = _range(req)
    return [snapshot_json(app.state, o) for o in _selected(app, req, "snapshot")[a:b]]


def count_snapshots(app, req):
    return {"COUNT": str(len(_selected(app, req, "snapshot")))}


def activate(st, ids):
    """Freezes every listed snapshot at one instant. Returns None, or (code, description)."""
    if not ids:
        return PARAM_ERROR, "SNAPSHOTLIST is empty"
    if len(set(ids)) != len(ids):
        return PARAM_ERROR, "SNAPSHOTLIST names a snapshot twice: %s" % ids
    for i in ids:
        lun = st.d["luns"].get(i)
        if lun is None or lun["kind"] != "snapshot":
            return SNAPSHOT_NOT_EXIST, "The snapshot does not exist. (ID %s)" % i
        if lun["RUNNINGSTATUS"] == "43" or lun.get("frozen"):
            return PARAM_ERROR, "snapshot %s is already activated (RUNNINGSTATUS 43)" % i
        if lun["RUNNINGSTATUS"] != "45":
            return PARAM_ERROR, "snapshot %s cannot be activated in RUNNINGSTATUS %s (initializing); " \
                                "wait for 45 (unactivated)" % (i, lun["RUNNINGSTATUS"])
    activation = st.next_activation()
    for i in ids:
        st.freeze(i, activation)
        st.d["luns"][i]["RUNNINGSTATUS"] = "43"
    return None


def activate_snapshots(app, req):
    body = req.json()
    if "SNAPSHOTLIST" in body:
        ids = body["SNAPSHOTLIST"]
        if not isinstance(ids, list) or not all(isinstance(i, (str, int)) and not isinstance(i, bool) for i in ids):
            raise DoradoError(PARAM_ERROR, "SNAPSHOTLIST must be a list of snapshot IDs")
        ids = [str(i) for i in ids]
    elif "ID" in body:
        ids = [str(body["ID"])]
    else:
        raise DoradoError(PARAM_ERROR, "the body needs SNAPSHOTLIST (a list of IDs) or ID")
    problem = activate(app.state, ids)
    if problem is not None:
        raise DoradoError(*problem)
    return {}


# ---------------------------------------------------------------------- bitmaps

def _int_param(req, name):
    v = req.q(name)
    if v is None:
        raise DoradoError(PARAM_ERROR, "parameter %s is required" % name)
    try:
        return as_int(v, name, minimum=0)
    except ValueError as e:
        raise DoradoError(PARAM_ERROR, str(e))


def _bitmap_object(st, obj_id, role):
    lun = _lookup(st, obj_id, None)
    fam, snap = st.family_of(obj_id)
    if lun["kind"] == "snapshot":
        if snap is None or lun["RUNNINGSTATUS"] != "43":
            raise DoradoError(PARAM_ERROR, "%s %s is a snapshot that is not activated (RUNNINGSTATUS %s)"
                              % (role, obj_id, lun["RUNNINGSTATUS"]))
        return fam, snap, snap.map, snap.size
    return fam, None, fam.map, fam.size


def _segment(app, req, size, grain):
    """Checks BITMAPCHUNKSIZE and the segment; returns (offset, length, chunk, nbits)."""
    cfg = app.state.cfg
    chunk = _int_param(req, "BITMAPCHUNKSIZE")
    off = _int_param(req, "SEGMENTSTARTOFFSETBYTES")
    length = _int_param(req, "SEGMENTLENGTHBYTES")
    if chunk <= 0 or chunk % grain:
        raise DoradoError(PARAM_ERROR, "BITMAPCHUNKSIZE %d is not a positive multiple of the LUN's chunk size %d"
                          % (chunk, grain))
    if off % chunk:
        raise DoradoError(PARAM_ERROR, "SEGMENTSTARTOFFSETBYTES %d is not a multiple of BITMAPCHUNKSIZE %d" % (off, chunk))
    if length <= 0 or length > cfg.bitmap_max_segment_bytes:
        raise DoradoError(PARAM_ERROR, "SEGMENTLENGTHBYTES %d must be in 1..%d" % (length, cfg.bitmap_max_segment_bytes))
    end = off + length
    if cfg.bitmap_last_chunk == "CLIP":
        if end > size:
            raise DoradoError(PARAM_ERROR, "the segment [%d, %d) ends past the object's end (%d bytes)" % (off, end, size))
        if length % chunk and end != size:
            raise DoradoError(PARAM_ERROR, "SEGMENTLENGTHBYTES %d is not a multiple of BITMAPCHUNKSIZE %d "
                              "(only a segment ending at the object's end, %d, may be shorter)" % (length, chunk, size))
    else:
        padded = -(-size // chunk) * chunk
        if length % chunk:
            raise DoradoError(PARAM_ERROR, "SEGMENTLENGTHBYTES %d is not a multiple of BITMAPCHUNKSIZE %d" % (length, chunk))
        if end > padded:
            raise DoradoError(PARAM_ERROR, "the segment [%d, %d) ends past the object's end rounded up to a "
                              "chunk (%d bytes)" % (off, end, padded))
    return off, length, chunk, -(-length // chunk)


def _answer(app, req, obj_ids, off, length, chunk, nbits, mask):
    cfg = app.state.cfg
    data = {"CHUNKBITMAP": bitmap.encode(mask, nbits, cfg.bitmap_encoding, cfg.bitmap_bit_order),
            "UNSHAREDCHUNKS": str(mask.bit_count()), "SCANNEDCHUNKS": str(nbits),
            "BITMAPCHUNKSIZE": str(chunk), "SEGMENTSTARTOFFSETBYTES": str(off), "SEGMENTLENGTHBYTES": str(length)}
    data.update(obj_ids)
    return data


def _mask(target_map, base_map, off, length, size, grain, chunk):
    g0 = off // grain
    g1 = -(-min(off + length, size) // grain)
    return bitmap.group(bitmap.grain_mask(target_map, base_map, g0, g1), chunk // grain)


def get_unshared(app, req):
    st = app.state
    lun_id, base_id = req.q("LUNID"), req.q("BASELUNID")
    if not lun_id or not base_id:
        raise DoradoError(PARAM_ERROR, "parameters LUNID and BASELUNID are required")
    tfam, tsnap, tmap, tsize = _bitmap_object(st, lun_id, "LUNID")
    bfam, bsnap, bmap, bsize = _bitmap_object(st, base_id, "BASELUNID")
    if tfam is not bfam:
        raise DoradoError(PARAM_ERROR, "BASELUNID %s is not an ancestor of LUNID %s (they belong to different LUNs)"
                          % (base_id, lun_id))
    if base_id != lun_id:
        order = [s.obj_id for s in tfam.snaps]
        if bsnap is None or (tsnap is not None and order.index(base_id) > order.index(lun_id)):
            raise DoradoError(PARAM_ERROR, "BASELUNID %s is not an ancestor of LUNID %s (it is newer)" % (base_id, lun_id))
    off, length, chunk, nbits = _segment(app, req, tsize, tfam.grain)
    end = off + length
    small = min(tsize, bsize)
    rule = st.cfg.bitmap_expanded_rule
    if tsize != bsize and (rule == "REJECT" or (rule == "REJECT_BEYOND_OLD" and end > small)):
        raise DoradoError(PARAM_ERROR, "LUNID %s (%d bytes) and BASELUNID %s (%d bytes) differ in size: the disk was "
                          "expanded; only segments inside the first %d bytes can be compared"
                          % (lun_id, tsize, base_id, bsize, small if rule != "REJECT" else 0))
    mask = _mask(tmap, bmap, off, min(length, max(0, small - off)) if end > small else length, tsize, tfam.grain, chunk)
    if end > small:  # TAIL_CHANGED: every chunk reaching past the smaller size counts as changed
        first = max(0, (small - off) // chunk)
        mask |= ((1 << nbits) - 1) & ~((1 << first) - 1)
    return _answer(app, req, {"LUNID": lun_id, "BASELUNID": base_id}, off, length, chunk, nbits, mask)


def get_alloc(app, req):
    st = app.state
    lun_id = req.q("LUNID")
    if not lun_id:
        raise DoradoError(PARAM_ERROR, "parameter LUNID is required")
    fam, snap, tmap, size = _bitmap_object(st, lun_id, "LUNID")
    off, length, chunk, nbits = _segment(app, req, size, fam.grain)
    mask = _mask(tmap, None, off, length, size, fam.grain, chunk)
    return _answer(app, req, {"LUNID": lun_id}, off, length, chunk, nbits, mask)
