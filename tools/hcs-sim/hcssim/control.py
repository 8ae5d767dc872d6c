"""The test-only control plane, on its own listener, every path under /_sim/. Not a vendor API:
it builds the installation (servers, disks), plays the guest (writes, zeros, discards), reads data
back (bytes, SHA-256), ages tokens and sessions, injects failures, and changes settings.

Errors: {"error": {"code": "SIM.<n>", "message": "..."}} with a 4xx status.
"""
import base64
import hashlib

from . import storage
from .server import BadRequest, Response, Router, json_response
from .state import GIB
from .util import ApiError, as_int, new_hex32, now, ts_token

MAX_READ = 256 << 20


def _err(status, code, message):
    return ApiError(status, {"error": {"code": code, "message": message}})


def _bad(message):
    return _err(400, "SIM.400", message)


def _missing(what, ident):
    return _err(404, "SIM.404", "%s %s does not exist" % (what, ident))


class ControlApp:
    name = "control"
    access_log = True

    def __init__(self, state, jobs, info):
        self.state = state
        self.jobs = jobs
        self.info = info
        self.router = Router()
        r = self.router.add
        r("GET", r"/_sim/health", health, "health")
        r("GET", r"/_sim/info", get_info, "info")
        r("GET", r"/_sim/settings", get_settings, "settings")
        r("PUT", r"/_sim/settings", put_settings, "settings")
        r("POST", r"/_sim/reset", reset, "reset")
        r("POST", r"/_sim/save", save, "save")
        r("POST", r"/_sim/projects", create_project, "projects")
        r("GET", r"/_sim/servers", list_servers, "servers")
        r("POST", r"/_sim/servers", create_server, "servers")
        r("GET", r"/_sim/servers/(?P<server_id>[^/]+)", get_server, "servers")
        r("DELETE", r"/_sim/servers/(?P<server_id>[^/]+)", delete_server, "servers")
        r("GET", r"/_sim/volumes", list_volumes, "volumes")
        r("POST", r"/_sim/volumes", create_volume, "volumes")
        r("GET", r"/_sim/volumes/(?P<volume_id>[^/]+)", get_volume, "volumes")
        r("DELETE", r"/_sim/volumes/(?P<volume_id>[^/]+)", delete_volume, "volumes")
        r("POST", r"/_sim/volumes/(?P<volume_id>[^/]+)/write", write_volume, "write")
        r("POST", r"/_sim/volumes/(?P<volume_id>[^/]+)/extend", extend_volume, "extend")
        r("GET", r"/_sim/volumes/(?P<volume_id>[^/]+)/data", volume_data, "read")
        r("GET", r"/_sim/volumes/(?P<volume_id>[^/]+)/sha256", volume_sha, "read")
        r("GET", r"/_sim/snapshots/(?P<snapshot_id>[^/]+)/data", snapshot_data, "read")
        r("GET", r"/_sim/snapshots/(?P<snapshot_id>[^/]+)/sha256", snapshot_sha, "read")
        r("POST", r"/_sim/snapshots/(?P<snapshot_id>[^/]+)/status", snapshot_status, "snapshots")
        r("DELETE", r"/_sim/luns/(?P<obj_id>[^/]+)", delete_lun, "luns")
        r("GET", r"/_sim/attachments", list_attachments, "attachments")
        r("GET", r"/_sim/temporary-disks", list_temporary, "attachments")
        r("GET", r"/_sim/iam/tokens", list_tokens, "tokens")
        r("POST", r"/_sim/iam/tokens/expire", expire_tokens, "tokens")
        r("POST", r"/_sim/iam/tokens/age", age_tokens, "tokens")
        r("GET", r"/_sim/dorado/sessions", list_sessions, "sessions")
        r("POST", r"/_sim/dorado/sessions/drop", drop_sessions, "sessions")
        r("POST", r"/_sim/dorado/sessions/age", age_sessions, "sessions")
        r("GET", r"/_sim/faults", list_faults, "faults")
        r("POST", r"/_sim/faults", add_fault, "faults")
        r("DELETE", r"/_sim/faults", clear_faults, "faults")
        r("DELETE", r"/_sim/faults/(?P<fault_id>[^/]+)", delete_fault, "faults")
        r("GET", r"/_sim/jobs", list_jobs, "jobs")
        r("POST", r"/_sim/jobs/(?P<job_id>[^/]+)/release", release_job, "jobs")

    def internal_error(self, message):
        return json_response(500, {"error": {"code": "SIM.500", "message": message}})

    def handle(self, req):
        route, params = self.router.match(req.method, req.path)
        if route is None:
            raise _err(405 if params else 404, "SIM.404", "%s %s is not a control-plane endpoint%s" % (
                req.method, req.path, " (it exists for another method)" if params else ""))
        try:
            with self.state.lock:
                result = route.handler(self, req, **params)
        except BadRequest as e:
            raise _bad(str(e))
        except ValueError as e:
            raise _bad(str(e))
        if isinstance(result, Response):
            return result
        if isinstance(result, tuple):
            return json_response(result[0], result[1])
        return json_response(200, result)


# ---------------------------------------------------------------------- views

def volume_view(st, vol):
    fam = st.families.get(vol["lun_id"])
    snaps = [s for s in st.d["snapshots"].values() if s["volume_id"] == vol["id"]]
    return {
        "id": vol["id"], "name": vol["name"], "project_id": vol["project_id"], "status": vol["status"],
        "size_bytes": vol["size_bytes"], "size": -(-vol["size_bytes"] // GIB),
        "availability_zone": vol["availability_zone"], "volume_type": vol["volume_type"],
        "bootable": vol["bootable"], "metadata": vol["metadata"], "tags": vol.get("tags", {}),
        "lun_id": vol["lun_id"], "lun_wwn": st.wwn(vol["lun_id"]), "chunk_size": fam.grain if fam else None,
        "file": fam.path if fam else None, "snapshot_id": vol["snapshot_id"],
        "attachments": [{"server_id": a["server_id"], "device": a["device"]} for a in vol["attachments"]],
        "snapshots": [{"id": s["id"], "status": s["status"], "lun_id": s["lun_id"],
                       "activation": st.d["luns"].get(s["lun_id"], {}).get("activation") if s["lun_id"] else None}
                      for s in sorted(snaps, key=lambda s: s["created"])],
        "allocated_chunks": fam.map.allocated_grains() if fam else 0,
    }


def server_view(st, srv):
    return {
        "id": srv["id"], "name": srv["name"], "project_id": srv["project_id"], "status": srv["status"],
        "availability_zone": srv["availability_zone"], "flavor": srv["flavor_id"], "tags": srv["tags"],
        "metadata": srv["metadata"],
        "attachments": [{"volume_id": a["volume_id"], "device": a["device"], "boot": a["boot"], "bus": a["bus"],
                         "device_file": a.get("device_file")} for a in srv["attachments"]],
    }


# ---------------------------------------------------------------------- basics

def health(app, req):
    return {"ok": True, "time": now()}


def get_info(app, req):
    st = app.state
    info = dict(app.info)
    info.update({"project_id": st.identity["project_id"], "project_name": st.project_name(),
                 "proxy_server_id": st.identity["proxy_server_id"],
                 "proxy_boot_volume_id": st.identity["proxy_boot_volume_id"],
                 "device_dir": st.device_dir, "state_dir": st.dir, "array_sn": st.cfg.array_sn,
                 "iam_user": st.cfg.iam_user, "iam_domain": st.cfg.iam_domain, "dorado_user": st.cfg.dorado_user,
                 "region": st.cfg.region, "availability_zone": st.cfg.availability_zone})
    return info


def get_settings(app, req):
    return app.state.cfg.public()


def put_settings(app, req):
    app.state.cfg.update(req.json())
    return app.state.cfg.public()


def reset(app, req):
    app.state.reset()
    app.jobs.workers.clear()
    return {"reset": True, "proxy_server_id": app.state.identity["proxy_server_id"]}


def save(app, req):
    app.state.save()
    return {"saved": True}


def create_project(app, req):
    st = app.state
    body = req.json()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise _bad("name is required")
    pid = body.get("id") or new_hex32()
    if pid in st.d["projects"]:
        raise _err(409, "SIM.409", "project %s exists" % pid)
    full = name if name.startswith(st.cfg.region + "_") else "%s_%s" % (st.cfg.region, name)
    st.d["projects"][pid] = {"id": pid, "name": full, "domain_id": st.identity["domain_id"],
                             "domain_name": st.cfg.iam_domain}
    st.mark_dirty()
    return 201, st.d["projects"][pid]


def _project(st, body):
    pid = body.get("project_id") or st.identity["project_id"]
    if pid not in st.d["projects"]:
        raise _missing("project", pid)
    return pid


def _size(body, default_gb=None):
    if "size_bytes" in body:
        return as_int(body["size_bytes"], "size_bytes", minimum=512)
    if "size_gb" in body or "size" in body:
        return as_int(body.get("size_gb", body.get("size")), "size_gb", minimum=1) * GIB
    if default_gb is not None:
        return default_gb * GIB
    raise _bad("size_gb (GiB) or size_bytes is required")


def _new_volume(st, body, pid, az, bootable=False):
    if not isinstance(body, dict):
        raise _bad("a volume must be a JSON object")
    vtype = body.get("volume_type")
    if vtype is not None and vtype not in {t["name"] for t in st.d["volume_types"]}:
        raise _bad("volume_type %s does not exist" % vtype)
    chunk = body.get("chunk_size")
    if chunk is not None:
        chunk = as_int(chunk, "chunk_size", minimum=512)
    return st.create_volume(pid, _size(body), name=body.get("name"), volume_type=vtype,
                            az=body.get("availability_zone") or az, bootable=body.get("bootable", bootable),
                            metadata=body.get("metadata"), tags=body.get("tags"), chunk_size=chunk,
                            description=body.get("description", ""))


# ---------------------------------------------------------------------- servers and volumes

def list_servers(app, req):
    return {"servers": [server_view(app.state, s) for s in app.state.d["servers"].values()]}


def get_server(app, req, server_id):
    srv = app.state.d["servers"].get(server_id)
    if srv is None:
        raise _missing("server", server_id)
    return server_view(app.state, srv)


def create_server(app, req):
    """A server with a boot disk (boot_volume, default 10 GiB) and data disks (data_volumes)."""
    st = app.state
    body = req.json()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise _bad("name is required")
    pid = _project(st, body)
    az = body.get("availability_zone") or st.cfg.availability_zone
    status = body.get("status", "ACTIVE")
    if status not in ("ACTIVE", "SHUTOFF"):
        raise _bad("status must be ACTIVE or SHUTOFF")
    tags = body.get("tags", [])
    if isinstance(tags, dict):
        tags = ["%s=%s" % kv for kv in tags.items()]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise _bad("tags must be a list of \"key=value\" strings or an object")
    boot_spec = body.get("boot_volume", {"size_gb": 10})
    boot = _new_volume(st, dict(boot_spec, bootable=True), pid, az, bootable=True) if boot_spec else None
    srv = st.create_server(pid, name, boot_volume_id=boot["id"] if boot else None, az=az,
                           flavor=body.get("flavor", "s3.large.2"), status=status, tags=tags,
                           metadata=body.get("metadata"))
    vols = [boot] if boot else []
    for spec in body.get("data_volumes", []):
        vol = _new_volume(st, spec, pid, az)
        st.attach(srv, vol, st.next_device(srv, vol))
        vols.append(vol)
    return 201, {"server": server_view(st, srv), "volumes": [volume_view(st, v) for v in vols]}


def delete_server(app, req, server_id):
    st = app.state
    srv = st.d["servers"].get(server_id)
    if srv is None:
        raise _missing("server", server_id)
    if server_id == st.identity["proxy_server_id"]:
        raise _bad("the proxy server cannot be deleted (reset restores it)")
    for att in list(srv["attachments"]):
        st.detach(srv, st.d["volumes"][att["volume_id"]])
    del st.d["servers"][server_id]
    st.mark_dirty()
    return {"deleted": server_id}


def list_volumes(app, req):
    return {"volumes": [volume_view(app.state, v) for v in app.state.d["volumes"].values()]}


def _vol(st, volume_id):
    vol = st.d["volumes"].get(volume_id)
    if vol is None:
        raise _missing("volume", volume_id)
    return vol


def get_volume(app, req, volume_id):
    return volume_view(app.state, _vol(app.state, volume_id))


def create_volume(app, req):
    """A disk (size_gb or size_bytes, chunk_size, type, AZ, tags, metadata); server_id attaches it."""
    st = app.state
    body = req.json()
    pid = _project(st, body)
    srv = None
    if body.get("server_id"):
        srv = st.d["servers"].get(body["server_id"])
        if srv is None:
            raise _missing("server", body["server_id"])
    vol = _new_volume(st, body, pid, srv["availability_zone"] if srv else st.cfg.availability_zone)
    if srv is not None:
        st.attach(srv, vol, body.get("device") or st.next_device(srv, vol))
    return 201, volume_view(st, vol)


def delete_volume(app, req, volume_id):
    """Removes a disk whatever its state: detached first, snapshots with it."""
    st = app.state
    vol = _vol(st, volume_id)
    if volume_id == st.identity["proxy_boot_volume_id"]:
        raise _bad("the proxy's boot disk cannot be deleted")
    for a in list(vol["attachments"]):
        srv = st.d["servers"].get(a["server_id"])
        if srv is not None:
            st.detach(srv, vol)
    for sid in [s["id"] for s in st.d["snapshots"].values() if s["volume_id"] == volume_id]:
        snap = st.d["snapshots"].pop(sid)
        if snap["lun_id"]:
            st.delete_dorado_object(snap["lun_id"])
    st.delete_dorado_object(vol["lun_id"])
    del st.d["volumes"][volume_id]
    st.mark_dirty()
    return {"deleted": volume_id}


def write_volume(app, req, volume_id):
    """The guest's writes. JSON: {"offset", one of "data_base64" | "pattern": {"seed"} | "zero": true |
    "discard": true, "length" (not with data_base64), "repeat": {"stride", "count"}}; or a raw
    application/octet-stream body with ?offset=."""
    st = app.state
    vol = _vol(st, volume_id)
    fam = st.families[vol["lun_id"]]
    ctype = (req.header("Content-Type") or "").split(";")[0].strip()
    if ctype == "application/octet-stream":
        body = {"offset": req.q("offset", "0")}
        data = req.body
    else:
        body = req.json()
        data = None
        if "data_base64" in body:
            try:
                data = base64.b64decode(body["data_base64"], validate=True)
            except (ValueError, TypeError):
                raise _bad("data_base64 is not valid base64")
    offset = as_int(body.get("offset", 0), "offset", minimum=0)
    modes = [k for k in ("data_base64", "pattern", "zero", "discard") if body.get(k) not in (None, False)]
    if data is None and len(modes) != 1:
        raise _bad("give exactly one of data_base64, pattern, zero, discard (got %s)" % (modes or "none"))
    discard, produce = False, None
    if data is not None:
        length = len(data)
    else:
        length = as_int(body.get("length"), "length", minimum=0)
        if "pattern" in body:
            p = body["pattern"]
            if not isinstance(p, dict) or "seed" not in p:
                raise _bad("pattern must be {\"seed\": <integer>}")
            seed = as_int(p["seed"], "pattern.seed", minimum=0)
            produce = lambda pos, n: storage.pattern_bytes(seed, pos, n)  # noqa: E731
        elif body.get("zero"):
            produce = lambda pos, n: bytes(n)  # noqa: E731
        else:
            produce, discard = None, True
    rep = body.get("repeat") or {"stride": 0, "count": 1}
    stride = as_int(rep.get("stride", 0), "repeat.stride", minimum=0)
    count = as_int(rep.get("count", 1), "repeat.count", minimum=1)
    if count > 1 and stride < length:
        raise _bad("repeat.stride (%d) must be at least the length (%d)" % (stride, length))
    gen = st.next_gen()
    changed = 0
    for i in range(count):
        base = offset + i * stride
        if data is not None:
            def produce(pos, n, base=base):  # the same bytes at every repeat
                return data[pos - base:pos - base + n]
        changed += fam.apply(base, length, produce, gen, st.cfg.zero_detect, discard=discard)
    st.mark_dirty(fam.lun_id)
    return {"changed_chunks": changed, "chunk_size": fam.grain, "bytes": length * count}


def extend_volume(app, req, volume_id):
    """Grows a disk (no EVS call is simulated for it): the 'disk expanded between syncs' case."""
    st = app.state
    vol = _vol(st, volume_id)
    fam = st.families[vol["lun_id"]]
    new = _size(req.json())
    if new <= fam.size:
        raise _bad("the new size (%d) must be larger than the current one (%d)" % (new, fam.size))
    fam.extend(new)
    vol["size_bytes"] = new
    vol["updated"] = now()
    st.mark_dirty(fam.lun_id)
    return volume_view(st, vol)


def _range(req, size):
    offset = as_int(req.q("offset", "0"), "offset", minimum=0)
    length = as_int(req.q("length", str(size - offset)), "length", minimum=0)
    if offset + length > size:
        raise _bad("range [%d, %d) is outside the object (size %d)" % (offset, offset + length, size))
    return offset, length


def _read_iter(fam, snap, offset, length, step=8 << 20):
    pos, end = offset, offset + length
    while pos < end:
        n = min(step, end - pos)
        yield fam.read(snap, pos, n)
        pos += n


def _sha(fam, snap, req, size):
    offset, length = _range(req, size)
    h = hashlib.sha256()
    for piece in _read_iter(fam, snap, offset, length):
        h.update(piece)
    return {"sha256": h.hexdigest(), "offset": offset, "length": length}


def _data(fam, snap, req, size):
    offset, length = _range(req, size)
    if length > MAX_READ:
        raise _bad("at most %d bytes per read (use offset/length)" % MAX_READ)
    return Response(200, fam.read(snap, offset, length), content_type="application/octet-stream")


def volume_data(app, req, volume_id):
    fam = app.state.families[_vol(app.state, volume_id)["lun_id"]]
    return _data(fam, None, req, fam.size)


def volume_sha(app, req, volume_id):
    fam = app.state.families[_vol(app.state, volume_id)["lun_id"]]
    return _sha(fam, None, req, fam.size)


def _snap(st, snapshot_id):
    snap = st.d["snapshots"].get(snapshot_id)
    if snap is None:
        raise _missing("snapshot", snapshot_id)
    if not snap["lun_id"] or snap["lun_id"] not in st.d["luns"]:
        raise _err(409, "SIM.409", "snapshot %s has no array snapshot (status %s)" % (snapshot_id, snap["status"]))
    fam, data = st.family_of(snap["lun_id"])
    if data is None:
        raise _err(409, "SIM.409", "snapshot %s is not activated yet: it has no frozen data" % snapshot_id)
    return fam, data


def snapshot_data(app, req, snapshot_id):
    fam, snap = _snap(app.state, snapshot_id)
    return _data(fam, snap, req, snap.size)


def snapshot_sha(app, req, snapshot_id):
    fam, snap = _snap(app.state, snapshot_id)
    return _sha(fam, snap, req, snap.size)


def snapshot_status(app, req, snapshot_id):
    """Pins an EVS snapshot's status (hold, default true) or lets the clock drive it again."""
    st = app.state
    snap = st.d["snapshots"].get(snapshot_id)
    if snap is None:
        raise _missing("snapshot", snapshot_id)
    body = req.json()
    status = body.get("status")
    allowed = ("creating", "available", "error", "deleting", "error_deleting", "backing-up")
    if status not in allowed:
        raise _bad("status must be one of %s" % ", ".join(allowed))
    snap["status"] = status
    snap["hold"] = bool(body.get("hold", True))
    snap["updated"] = now()
    st.mark_dirty()
    return {"id": snapshot_id, "status": status, "hold": snap["hold"]}


def delete_lun(app, req, obj_id):
    """Deletes a Dorado object behind HCS's back (a snapshot gone on the array)."""
    st = app.state
    lun = st.d["luns"].get(obj_id)
    if lun is None:
        raise _missing("Dorado object", obj_id)
    if lun["kind"] == "lun":
        raise _bad("object %s is a LUN; delete its volume instead (DELETE /_sim/volumes/{id})" % obj_id)
    st.delete_dorado_object(obj_id)
    return {"deleted": obj_id, "kind": lun["kind"]}


def list_attachments(app, req):
    st = app.state
    out = []
    for srv in st.d["servers"].values():
        for a in srv["attachments"]:
            out.append({"server_id": srv["id"], "volume_id": a["volume_id"], "device": a["device"], "bus": a["bus"],
                        "boot": a["boot"], "device_file": a.get("device_file")})
    return {"attachments": out}


def list_temporary(app, req):
    """Disks created from snapshots through EVS (the proxy's clones), still present."""
    st = app.state
    return {"volumes": [volume_view(st, v) for v in st.d["volumes"].values() if v.get("snapshot_id")]}


# ---------------------------------------------------------------------- tokens and sessions

def list_tokens(app, req):
    t = now()
    return {"tokens": [{"project_id": r["project_id"], "issued_at": ts_token(r["issued"]),
                        "expires_at": ts_token(r["expires"]), "expired": r["expires"] <= t}
                       for r in app.state.d["tokens"].values()]}


def expire_tokens(app, req):
    t = now()
    n = 0
    for r in app.state.d["tokens"].values():
        if r["expires"] > t:
            r["expires"] = t
            n += 1
    app.state.mark_dirty()
    return {"expired": n}


def age_tokens(app, req):
    secs = float(req.json().get("seconds", 0))
    for r in app.state.d["tokens"].values():
        r["issued"] -= secs
        r["expires"] -= secs
    app.state.mark_dirty()
    return {"aged": len(app.state.d["tokens"]), "seconds": secs}


def list_sessions(app, req):
    t = now()
    return {"sessions": [{"user": s["user"], "idle_seconds": round(t - s["last"], 3)}
                         for s in app.state.sessions.values()]}


def drop_sessions(app, req):
    n = len(app.state.sessions)
    app.state.sessions.clear()
    return {"dropped": n}


def age_sessions(app, req):
    secs = float(req.json().get("seconds", 0))
    for s in app.state.sessions.values():
        s["last"] -= secs
    return {"aged": len(app.state.sessions), "seconds": secs}


# ---------------------------------------------------------------------- faults and jobs

def list_faults(app, req):
    return {"faults": app.state.faults.list()}


def add_fault(app, req):
    return 201, app.state.faults.add(req.json())


def clear_faults(app, req):
    app.state.faults.clear()
    return {"cleared": True}


def delete_fault(app, req, fault_id):
    if not app.state.faults.remove(fault_id):
        raise _missing("fault", fault_id)
    return {"deleted": fault_id}


def list_jobs(app, req):
    return {"jobs": [dict(app.jobs.to_json(j), kind=j["kind"], stuck=j["stuck"], vanished=j["vanished"],
                          params={k: v for k, v in j["params"].items() if k != "copy_error"})
                     for j in app.state.d["jobs"].values()]}


def release_job(app, req, job_id):
    if not app.jobs.release(job_id):
        raise _missing("job", job_id)
    return {"released": job_id}

