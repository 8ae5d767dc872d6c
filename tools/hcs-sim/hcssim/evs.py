"""EVS: disk types, disks, snapshots, create-from-snapshot and delete jobs, and Huawei's Cinder
extension os-hw_snapshots/active_snapshots (§4.1 endpoints 6-12 and 16). Both the Huawei
(cloudvolumes, cloudsnapshots) and the OpenStack-native (volumes, snapshots) paths are served."""
import json
import logging
import threading

from . import apig, dorado
from .state import GIB
from .storage import ChunkMap
from .util import as_int, new_uuid, now, ts_evs

log = logging.getLogger("hcssim")

V2 = r"/v2/(?P<project_id>[^/]+)"
V21 = r"/v2.1/(?P<project_id>[^/]+)"
VOLS = r"(?:cloudvolumes|volumes)"
SNAPS = r"(?:cloudsnapshots|snapshots)"
NOT_FOUND = "Resource(Volume, Snapshot, Backup .etc) cound not be found."
FORBIDDEN_FROM_SNAPSHOT = ("hw:passthrough", "__system__encrypted", "__system__cmkid")


def register(app):
    r = app.route
    r("GET", V2 + r"/types", list_types, "evs.types", ["evs"])
    r("POST", V2 + "/" + SNAPS, create_snapshot, "evs.snapshot.create", ["evs"])
    r("GET", V2 + r"/(?:cloudsnapshots|snapshots|os-vendor-snapshots)/detail", list_snapshots,
      "evs.snapshot.list", ["evs"])
    r("GET", V2 + "/" + SNAPS + r"/(?P<snapshot_id>[^/]+)", get_snapshot, "evs.snapshot.get", ["evs"])
    r("DELETE", V2 + "/" + SNAPS + r"/(?P<snapshot_id>[^/]+)", delete_snapshot, "evs.snapshot.delete", ["evs"])
    r("POST", V21 + "/" + VOLS, create_volume, "evs.volume.create", ["evs"])
    r("GET", V2 + "/" + VOLS + r"/detail", list_volumes, "evs.volume.list", ["evs"])
    r("GET", V2 + "/" + VOLS + r"/(?P<volume_id>[^/]+)", get_volume, "evs.volume.get", ["evs"])
    r("DELETE", V2 + "/" + VOLS + r"/(?P<volume_id>[^/]+)", delete_volume, "evs.volume.delete", ["evs"])
    r("POST", V2 + r"/os-hw_snapshots/active_snapshots", active_snapshots, "evs.active_snapshots", ["evs"])
    st = app.state
    st.job_handlers["create_volume"] = (start_create, finish_create)
    st.job_handlers["delete_volume"] = (None, finish_delete)
    app.jobs.tick_hooks.append(lambda t: snapshot_tick(st, t))


def _err(status, code, message):
    return apig.evs_error(status, code, message)


def gib(size_bytes):
    return (size_bytes + GIB - 1) // GIB


# ---------------------------------------------------------------------- JSON views

def volume_json(st, vol):
    cfg = st.cfg
    lun = vol["lun_id"]
    meta = dict(vol["metadata"])
    meta.update({"lun_wwn": st.wwn(lun), "StorageType": cfg.storage_type, "take_over_lun_wwn": "--",
                 "readonly": "False", "attached_mode": "rw"})
    if vol["bootable"]:
        meta["__sys_is_server_vol__"] = "true"
    backend = next((t["backend"] for t in st.d["volume_types"] if t["name"] == vol["volume_type"]),
                   "StoragePool001-bu")
    return {
        "id": vol["id"],
        "name": vol["name"],
        "description": vol.get("description", ""),
        "status": vol["status"],
        "size": gib(vol["size_bytes"]),
        "availability_zone": vol["availability_zone"],
        "volume_type": vol["volume_type"],
        "bootable": "true" if vol["bootable"] else "false",
        "shareable": False,
        "multiattach": False,
        "os-vol-host-attr:host": "cinder-kvm001@%s#%s" % (vol["volume_type"], backend),
        "os-vol-tenant-attr:tenant_id": vol["project_id"],
        "attachments": [
            {"server_id": a["server_id"], "attachment_id": a["attachment_id"],
             "attached_at": ts_evs(a["attached_at"]), "host_name": None, "volume_id": vol["id"],
             "device": a["device"], "id": vol["id"]} for a in vol["attachments"]],
        "metadata": meta,
        "os-volume-replication:driver_data": json.dumps({"lun_id": lun, "sn": cfg.array_sn}),
        "snapshot_id": vol["snapshot_id"],
        "source_volid": None,
        "created_at": ts_evs(vol["created"]),
        "updated_at": ts_evs(vol["updated"]) if vol["updated"] else None,
        "encrypted": False,
        "replication_status": "disabled",
        "user_id": st.identity["user_id"],
        "tags": dict(vol.get("tags", {})),
        "links": [],
    }


def snapshot_json(st, snap):
    return {
        "id": snap["id"],
        "status": snap["status"],
        "size": gib(snap["size_bytes"]),
        "metadata": dict(snap["metadata"]),
        "name": snap["name"],
        "description": snap["description"],
        "volume_id": snap["volume_id"],
        "provider_auth": json.dumps({"lun_id": snap["lun_id"], "sn": st.cfg.array_sn}) if snap["lun_id"] else None,
        "created_at": ts_evs(snap["created"]),
        "updated_at": ts_evs(snap["updated"]) if snap["updated"] else None,
        "os-extended-snapshot-attributes:project_id": snap["project_id"],
        "os-extended-snapshot-attributes:progress": "100%" if snap["status"] == "available" else "0%",
    }


def _paging(ctx, default_limit=1000):
    try:
        limit = as_int(ctx.req.q("limit", str(default_limit)), "limit", minimum=1)
    except ValueError as e:
        raise _err(400, "EVS.1023", "invalid filter limit! (%s)" % e)
    try:
        offset = as_int(ctx.req.q("offset", "0"), "offset", minimum=0)
    except ValueError as e:
        raise _err(400, "EVS.1070", "invalid request. (%s)" % e)
    return offset, limit


# ---------------------------------------------------------------------- types

def list_types(ctx, project_id):
    az = ctx.cfg.availability_zone
    return 200, {"volume_types": [
        {"id": t["id"], "name": t["name"], "description": t["description"],
         "extra_specs": {"volume_backend_name": t["backend"], "availability-zone": az,
                         "HW:availability_zone": az},
         "is_public": True, "qos_specs_id": None} for t in ctx.state.d["volume_types"]]}


# ---------------------------------------------------------------------- volumes

def _volume(ctx, project_id, volume_id):
    vol = ctx.state.d["volumes"].get(volume_id)
    if vol is None or vol["project_id"] != project_id:
        raise _err(404, "EVS.5404", NOT_FOUND + " (volume %s)" % volume_id)
    return vol


def get_volume(ctx, project_id, volume_id):
    return 200, {"volume": volume_json(ctx.state, _volume(ctx, project_id, volume_id))}


def list_volumes(ctx, project_id):
    offset, limit = _paging(ctx)
    q = ctx.req
    vols = [v for v in ctx.state.d["volumes"].values() if v["project_id"] == project_id]
    if q.q("name"):
        vols = [v for v in vols if v["name"] == q.q("name")]
    if q.q("status"):
        vols = [v for v in vols if v["status"] == q.q("status")]
    if q.q("availability_zone"):
        vols = [v for v in vols if v["availability_zone"] == q.q("availability_zone")]
    if q.q("server_id"):
        vols = [v for v in vols if any(a["server_id"] == q.q("server_id") for a in v["attachments"])]
    vols.sort(key=lambda v: (v["created"], v["id"]))
    return 200, {"volumes": [volume_json(ctx.state, v) for v in vols[offset:offset + limit]], "count": len(vols)}


def create_volume(ctx, project_id):
    st, cfg = ctx.state, ctx.cfg
    body = ctx.req.json()
    v = body.get("volume")
    if not isinstance(v, dict):
        raise _err(400, "EVS.1008", "null createVolumeReq! (the body must be {\"volume\": {...}})")
    sources = [k for k in ("imageRef", "snapshot_id", "backup_id") if v.get(k)]
    if len(sources) > 1:
        raise _err(400, "EVS.1016", "Invalid input received: May specify only one of imageRef, snapshot_id, backup_id!")
    if "imageRef" in sources:
        raise _err(400, "EVS.2046", "invalid imageRef! (the simulator creates disks empty or from a snapshot)")
    if "backup_id" in sources:
        raise _err(400, "EVS.1006", "invalid backup id! (the simulator creates disks empty or from a snapshot)")
    count = v.get("count", 1)
    if count != 1:
        raise _err(400, "EVS.1021", "the quantity of volume is invalid! (only count 1 is simulated)")
    az = v.get("availability_zone")
    if not isinstance(az, str) or not az:
        raise _err(400, "EVS.1036", "invalid availability zone! (availability_zone is required)")
    known_az = {cfg.availability_zone} | {s["availability_zone"] for s in st.d["servers"].values()} | \
        {x["availability_zone"] for x in st.d["volumes"].values()}
    if az not in known_az:
        raise _err(400, "EVS.1036", "invalid availability zone! (%s is not an AZ of this region)" % az)
    size = v.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 1):
        raise _err(400, "EVS.1010", "invalid volume size! (size must be a positive integer, GB, got %r)" % (size,))
    vtype = v.get("volume_type")
    types = {t["name"] for t in st.d["volume_types"]}
    if vtype is not None and vtype not in types:
        raise _err(400, "EVS.2070", "VolumeTypes are not supported ! (%s)" % vtype)
    meta = v.get("metadata") or {}
    if not isinstance(meta, dict):
        raise _err(400, "EVS.1070", "invalid request. (metadata must be an object)")
    name = v.get("name") or ("volume-" + new_uuid()[:8])
    snap_id = v.get("snapshot_id")
    params = {"snapshot_lun": None}
    chunk = None
    if snap_id:
        snap = st.d["snapshots"].get(snap_id)
        if snap is None or snap["project_id"] != project_id:
            raise _err(400, "EVS.2045", "invalid snapshot_id! (%s does not exist)" % snap_id)
        bad = [k for k in FORBIDDEN_FROM_SNAPSHOT if k in meta]
        if bad:
            raise _err(400, "EVS.1043", "encrypt and cmk and passthrougth in metadata is not support when "
                       "create volume from snapshot or image! (%s)" % ", ".join(bad))
        if snap["status"] != "available":
            raise _err(400, "EVS.2043", "The status of snapshot is not available or backing-up. (%s is %s)"
                       % (snap_id, snap["status"]))
        src = st.d["volumes"].get(snap["volume_id"])
        lun = st.d["luns"].get(snap["lun_id"] or "")
        if src is None or lun is None:
            raise _err(400, "EVS.2043", "The status of snapshot is not available or backing-up. (the array "
                       "snapshot of %s is gone)" % snap_id)
        if not lun.get("frozen"):
            raise _err(400, "EVS.2043", "The status of snapshot is not available or backing-up. (the array "
                       "snapshot %s is not activated: RUNNINGSTATUS %s)" % (lun["ID"], lun["RUNNINGSTATUS"]))
        if az != src["availability_zone"]:
            raise _err(400, "EVS.2054", "Cannot create volume from snapshot as the az is invalid! (the "
                       "snapshot is in %s, the request asks for %s)" % (src["availability_zone"], az))
        if vtype is not None and vtype != src["volume_type"]:
            raise _err(400, "EVS.2096", "Target volumeType[%s] is not matched with snapshot[%s] !"
                       % (vtype, src["volume_type"]))
        vtype = src["volume_type"]
        snap_gib = gib(snap["size_bytes"])
        if size is not None and size < snap_gib:
            raise _err(400, "EVS.1010", "invalid volume size! (%d GB is smaller than the snapshot, %d GB)"
                       % (size, snap_gib))
        size_bytes = snap["size_bytes"] if size is None or size == snap_gib else size * GIB
        if "hw:passthrough" in src["metadata"]:
            meta = dict(meta, **{"hw:passthrough": src["metadata"]["hw:passthrough"]})
        params["snapshot_lun"] = snap["lun_id"]
        chunk = st.families[src["lun_id"]].grain
    else:
        if size is None:
            raise _err(400, "EVS.1010", "invalid volume size! (size is required for an empty disk)")
        size_bytes = size * GIB
        if "hw:passthrough" in meta and str(meta["hw:passthrough"]).lower() not in ("true", "false"):
            raise _err(400, "EVS.1057", "invalid hw:passthrough in metadata!")
    vol = st.create_volume(project_id, size_bytes, name=name, volume_type=vtype, az=az, metadata=meta,
                           description=v.get("description") or "", snapshot_id=snap_id, status="creating",
                           chunk_size=chunk)
    if params["snapshot_lun"]:
        st.pins[params["snapshot_lun"]] = st.pins.get(params["snapshot_lun"], 0) + 1
    params["volume_id"] = vol["id"]
    job = ctx.app.jobs.submit("create_volume", project_id, params, {"volume_id": vol["id"]})
    return 202, {"job_id": job["id"]}


def start_create(st, job):
    """RUNNING: a disk from a snapshot gets the snapshot's bytes, copied segment by segment."""
    p = job["params"]
    if not p.get("snapshot_lun"):
        return None
    return threading.Thread(target=_copy_snapshot, args=(st, p), name="copy-" + p["volume_id"][:8], daemon=True)


def _copy_snapshot(st, p):
    try:
        with st.lock:
            vol = st.d["volumes"][p["volume_id"]]
            dest = st.families[vol["lun_id"]]
            src, snap = st.family_of(p["snapshot_lun"])
            segs = sorted(snap.map.segs)
            dest_fd = dest.fd()
        for si in segs:
            # the lock is taken per segment so the simulator keeps answering during a big copy
            with st.lock:
                src.copy_snapshot_segment(snap, si, dest_fd)
        with st.lock:
            dest.map = ChunkMap(snap.map.ngrains, dict(snap.map.segs))
            dest.map.resize(dest.ngrains_for(dest.size))
            st.dirty_families.add(dest.lun_id)
    except Exception as e:  # the job FAILs with the reason, the simulator keeps running
        log.exception("copy of snapshot %s into volume %s failed", p.get("snapshot_lun"), p.get("volume_id"))
        p["copy_error"] = str(e)


def _unpin(st, obj_id):
    if obj_id and obj_id in st.pins:
        st.pins[obj_id] -= 1
        if st.pins[obj_id] <= 0:
            del st.pins[obj_id]


def finish_create(st, job, failure):
    p = job["params"]
    _unpin(st, p.get("snapshot_lun"))
    vol = st.d["volumes"].get(p["volume_id"])
    if failure is None and p.get("copy_error"):
        failure = ["EVS.2002", "internal error! (copying the snapshot failed: %s)" % p["copy_error"]]
    if vol is not None:
        vol["status"] = "error" if failure else "available"
        vol["updated"] = now()
    st.mark_dirty()
    return failure


def delete_volume(ctx, project_id, volume_id):
    st = ctx.state
    vol = _volume(ctx, project_id, volume_id)
    if vol["status"] not in ("available", "error", "error_extending", "error_restoring", "error_rollbacking"):
        raise _err(400, "EVS.1046", "volume status must be available, error,  error_extending, "
                   "error_restoring, error_rollbacking when delete volume! (%s is %s)" % (volume_id, vol["status"]))
    busy = [s["id"] for s in st.d["snapshots"].values()
            if s["volume_id"] == volume_id and s["lun_id"] and s["lun_id"] in st.pins]
    if busy:
        raise _err(400, "EVS.1046", "volume status must be available, error,  error_extending, "
                   "error_restoring, error_rollbacking when delete volume! (a disk is being created from "
                   "its snapshot %s)" % busy[0])
    vol["status"] = "deleting"
    job = ctx.app.jobs.submit("delete_volume", project_id, {"volume_id": volume_id}, {"volume_id": volume_id})
    st.mark_dirty()
    return 200, {"job_id": job["id"]}


def finish_delete(st, job, failure):
    vol = st.d["volumes"].get(job["params"]["volume_id"])
    if vol is None:
        return None
    if failure is not None:
        vol["status"] = "error_deleting"
        return failure
    # The disk's snapshots go with it [I: Huawei consoles delete them together].
    for sid in [s["id"] for s in st.d["snapshots"].values() if s["volume_id"] == vol["id"]]:
        snap = st.d["snapshots"].pop(sid)
        if snap["lun_id"]:
            st.delete_dorado_object(snap["lun_id"])
    st.delete_dorado_object(vol["lun_id"])
    del st.d["volumes"][vol["id"]]
    st.mark_dirty()
    return None


# ---------------------------------------------------------------------- snapshots

def _snapshot(ctx, project_id, snapshot_id):
    snap = ctx.state.d["snapshots"].get(snapshot_id)
    if snap is None or snap["project_id"] != project_id:
        raise _err(404, "EVS.5404", NOT_FOUND + " (snapshot %s)" % snapshot_id)
    return snap


def create_snapshot(ctx, project_id):
    st, cfg = ctx.state, ctx.cfg
    body = ctx.req.json()
    s = body.get("snapshot")
    if not isinstance(s, dict):
        raise _err(400, "EVS.1070", "invalid request. (the body must be {\"snapshot\": {\"volume_id\": ...}})")
    vol_id = s.get("volume_id")
    if not isinstance(vol_id, str) or not vol_id:
        raise _err(400, "EVS.1002", "invalid volume id! (snapshot.volume_id is required)")
    vol = _volume(ctx, project_id, vol_id)
    force = s.get("force", False)
    if not isinstance(force, bool):
        raise _err(400, "EVS.1070", "invalid request. (force must be true or false)")
    if vol["status"] == "in-use" and not force and cfg.snapshot_requires_force:
        raise _err(400, "EVS.1070", "invalid request. (volume %s is in-use: a snapshot of an attached disk "
                   "needs \"force\": true)" % vol_id)
    if vol["status"] not in ("available", "in-use"):
        raise _err(400, "EVS.1070", "invalid request. (volume %s is %s; a snapshot needs available or in-use)"
                   % (vol_id, vol["status"]))
    meta = s.get("metadata") or {}
    if not isinstance(meta, dict):
        raise _err(400, "EVS.1070", "invalid request. (metadata must be an object)")
    held = sum(1 for x in st.d["snapshots"].values() if x["volume_id"] == vol_id and x["lun_id"])
    fail = None
    if held >= cfg.snapshot_limit:
        if cfg.snapshot_limit_mode == "sync":
            # placeholder code, simulator-only: no public code is known for this limit
            raise _err(400, cfg.snapshot_limit_code, "snapshot count exceeded the limit of the volume (%d of %d)"
                       % (held, cfg.snapshot_limit))
        fail = "array error %d: the number of snapshots of LUN %s reached the limit %d" % (
            cfg.snapshot_limit_dorado_code, vol["lun_id"], cfg.snapshot_limit)
    if fail is None and st.faults.take("snapshot_error", volume_id=vol_id) is not None:
        fail = "injected snapshot failure"
    t = now()
    snap_id = new_uuid()
    snap = {
        "id": snap_id, "project_id": project_id, "volume_id": vol_id, "name": s.get("name") or ("snapshot-" + snap_id[:8]),
        "description": s.get("description") or "", "status": "creating",
        "size_bytes": st.families[vol["lun_id"]].size, "created": t, "updated": None, "metadata": dict(meta),
        "lun_id": None, "ready_at": t + cfg.snapshot_create_seconds, "fail": fail, "hold": False,
    }
    if fail is None:
        snap["lun_id"] = st.create_dorado_snapshot(vol, snap_id, cfg.auto_activate)
    st.d["snapshots"][snap_id] = snap
    st.mark_dirty()
    view = {k: v for k, v in snapshot_json(st, snap).items()
            if k in ("id", "status", "name", "description", "created_at", "metadata", "volume_id", "size", "updated_at")}
    return 202, {"snapshot": view}


def get_snapshot(ctx, project_id, snapshot_id):
    return 200, {"snapshot": snapshot_json(ctx.state, _snapshot(ctx, project_id, snapshot_id))}


def list_snapshots(ctx, project_id):
    offset, limit = _paging(ctx)
    q = ctx.req
    snaps = [s for s in ctx.state.d["snapshots"].values() if s["project_id"] == project_id]
    for field in ("volume_id", "status", "name"):
        if q.q(field):
            snaps = [s for s in snaps if s[field] == q.q(field)]
    snaps.sort(key=lambda s: (s["created"], s["id"]))
    return 200, {"snapshots": [snapshot_json(ctx.state, s) for s in snaps[offset:offset + limit]],
                 "count": len(snaps)}


def delete_snapshot(ctx, project_id, snapshot_id):
    st = ctx.state
    snap = _snapshot(ctx, project_id, snapshot_id)
    if snap["status"] == "error_deleting":
        raise _err(500, "EVS.2019", "snapshot is error_deleting! (%s)" % snapshot_id)
    if snap["status"] not in ("available", "error"):
        raise _err(400, "EVS.1047", "snapshot status must be available or error when delete snapshot! "
                   "(%s is %s)" % (snapshot_id, snap["status"]))
    snap["status"] = "deleting"
    snap["hold"] = False
    snap["delete_at"] = now() + st.cfg.snapshot_create_seconds
    st.mark_dirty()
    return 202, None


def snapshot_tick(st, t):
    """creating -> available | error once ready_at has come; deleting -> gone."""
    for snap in list(st.d["snapshots"].values()):
        if snap.get("hold"):
            continue
        if snap["status"] == "creating" and t >= snap["ready_at"]:
            lun = st.d["luns"].get(snap["lun_id"] or "")
            if snap["fail"] or (snap["lun_id"] and lun is None):
                snap["status"] = "error"
            else:
                snap["status"] = "available"
                if lun["RUNNINGSTATUS"] == "53":
                    lun["RUNNINGSTATUS"] = "43" if lun.get("frozen") else lun["target_status"]
            snap["updated"] = t
            st.mark_dirty()
        elif snap["status"] == "deleting" and t >= snap.get("delete_at", 0) and snap["lun_id"] not in st.pins:
            if snap["lun_id"]:
                st.delete_dorado_object(snap["lun_id"])
            del st.d["snapshots"][snap["id"]]
            st.mark_dirty()


def active_snapshots(ctx, project_id):
    """Huawei's consistent activation: every listed array snapshot is frozen at the same instant."""
    st = ctx.state
    body = ctx.req.json()
    s = body.get("snapshots")
    if not isinstance(s, dict) or not isinstance(s.get("volume_snapshots"), list) or not s["volume_snapshots"]:
        raise _err(400, "EVS.1070", "invalid request. (the body must be {\"snapshots\": {\"volume_id\": ..., "
                   "\"volume_snapshots\": [{\"snapshot_provider_location\": \"{\\\"lun_id\\\": ...}\"}]}})")
    if s.get("volume_id"):
        _volume(ctx, project_id, s["volume_id"])
    ids = []
    for item in s["volume_snapshots"]:
        loc = item.get("snapshot_provider_location") if isinstance(item, dict) else None
        try:
            lun_id = json.loads(loc)["lun_id"] if isinstance(loc, str) else None
        except (ValueError, KeyError, TypeError):
            lun_id = None
        if lun_id is None:
            raise _err(400, "EVS.1070", "invalid request. (snapshot_provider_location must be a JSON string "
                       "with lun_id, got %r)" % (loc,))
        ids.append(str(lun_id))
    problem = dorado.activate(st, ids)
    if problem is not None:
        raise _err(400, "EVS.1070", "invalid request. (%s)" % problem[1])
    return 200, {}
