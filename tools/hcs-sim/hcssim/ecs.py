"""ECS: servers, their disks, flavors, attach/detach jobs, and the job query (§4.1 endpoints 2-5,
13-15). The job query is shared with EVS: on a prefixed path it shows only that service's jobs."""
import hashlib
import re

from . import apig
from .state import FLAVORS, GIB
from .util import as_int, ts_ecs

DEVICE_RE = re.compile(r"^/dev/(vd|sd|xvd)[a-z]{1,2}$")
P = r"/v1/(?P<project_id>[^/]+)"


def register(app):
    r = app.route
    r("GET", P + r"/cloudservers/detail", list_servers, "ecs.servers.list", ["ecs"])
    r("GET", P + r"/cloudservers/flavors", list_flavors, "ecs.flavors", ["ecs"])
    r("GET", P + r"/cloudservers/(?P<server_id>[^/]+)", get_server, "ecs.server.get", ["ecs"])
    r("GET", P + r"/cloudservers/(?P<server_id>[^/]+)/block_device", list_block_devices,
      "ecs.block_device.list", ["ecs"])
    r("GET", P + r"/cloudservers/(?P<server_id>[^/]+)/block_device/(?P<volume_id>[^/]+)", get_block_device,
      "ecs.block_device.get", ["ecs"])
    r("POST", P + r"/cloudservers/(?P<server_id>[^/]+)/attachvolume", attach, "ecs.attach", ["ecs"])
    r("DELETE", P + r"/cloudservers/(?P<server_id>[^/]+)/detachvolume/(?P<volume_id>[^/]+)", detach,
      "ecs.detach", ["ecs"])
    r("GET", P + r"/jobs/(?P<job_id>[^/]+)", get_job, "jobs.get", ["ecs", "evs"])
    n = r"/v2.1/(?P<project_id>[^/]+)"
    r("GET", n + r"/flavors/detail", list_flavors_nova, "ecs.flavors.nova", ["ecs"])
    r("GET", n + r"/servers/detail", list_servers_nova, "ecs.servers.nova", ["ecs"])
    r("GET", n + r"/servers/(?P<server_id>[^/]+)/os-volume_attachments", list_attachments_nova,
      "ecs.attachments.nova", ["ecs"])
    app.state.job_handlers["attach"] = (None, finish_attach)
    app.state.job_handlers["detach"] = (None, finish_detach)


def _err(status, code, message):
    return apig.ecs_error(status, code, message)


def _server(ctx, project_id, server_id):
    srv = ctx.state.d["servers"].get(server_id)
    if srv is None or srv["project_id"] != project_id:
        raise _err(404, "Ecs.0114", "The ECS does not exist. (server %s)" % server_id)
    return srv


def _flavor(fid):
    for f in FLAVORS:
        if f["id"] == fid:
            return f
    return {"id": fid, "vcpus": 1, "ram": 1024}


def _gib(size_bytes):
    return (size_bytes + GIB - 1) // GIB


def boot_index(srv, att):
    """0 for the system disk; data disks count 1, 2, ... in attach order (the doc's sample: vdb = 1)."""
    if att["boot"]:
        return 0
    data = [a for a in srv["attachments"] if not a["boot"]]
    return data.index(att) + 1


def server_json(ctx, srv):
    fl = _flavor(srv["flavor_id"])
    active = srv["status"] == "ACTIVE"
    return {
        "fault": None,
        "id": srv["id"],
        "name": srv["name"],
        "addresses": {"vpc-" + srv["project_id"][:8]: [{
            "version": "4", "addr": srv["ip"], "OS-EXT-IPS-MAC:mac_addr": srv["mac"],
            "OS-EXT-IPS:port_id": srv["id"][:24] + "port00000000", "OS-EXT-IPS:type": "fixed"}]},
        "flavor": {"disk": "0", "vcpus": str(fl["vcpus"]), "ram": str(fl["ram"]), "id": fl["id"], "name": fl["id"]},
        "accessIPv4": "",
        "accessIPv6": "",
        "status": srv["status"],
        "image": {"id": ""},
        "hostId": hashlib.sha224((srv["project_id"] + srv["host"]).encode()).hexdigest(),
        "updated": ts_ecs(srv["updated"]),
        "created": ts_ecs(srv["created"]),
        "metadata": dict(srv["metadata"]),
        "tags": list(srv["tags"]),
        "description": srv.get("description", ""),
        "locked": False,
        "config_drive": "",
        "tenant_id": srv["project_id"],
        "user_id": ctx.state.identity["user_id"],
        "os-extended-volumes:volumes_attached": [
            {"device": a["device"], "bootIndex": str(boot_index(srv, a)), "id": a["volume_id"],
             "delete_on_termination": "false"} for a in srv["attachments"]],
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:power_state": 1 if active else 4,
        "OS-EXT-STS:vm_state": "active" if active else "stopped",
        "OS-EXT-SRV-ATTR:host": srv["host"],
        "OS-EXT-SRV-ATTR:instance_name": srv["instance_name"],
        "OS-EXT-SRV-ATTR:hypervisor_hostname": srv["host"] + "@kvm",
        "OS-DCF:diskConfig": "MANUAL",
        "OS-EXT-AZ:availability_zone": srv["availability_zone"],
        "OS-EXT-SRV-ATTR:root_device_name": "/dev/vda",
        "OS-SRV-USG:launched_at": ts_ecs(srv["created"]).replace("Z", ".000000"),
        "host_status": "UP",
        "enterprise_project_id": "0",
        "sys_tags": [],
        "security_groups": [{"id": srv["id"][:24] + "secgroup0000", "name": "default"}],
    }


def _matches(srv, q):
    name = q.get("name")
    if name:
        try:
            if not re.search(name, srv["name"]):
                return False
        except re.error:
            if name not in srv["name"]:
                return False
    if q.get("status") and srv["status"] != q["status"]:
        return False
    if q.get("flavor") and srv["flavor_id"] != q["flavor"]:
        return False
    if q.get("ip") and q["ip"] not in srv["ip"]:
        return False
    if q.get("ip_eq") and q["ip_eq"] != srv["ip"]:
        return False
    if q.get("tags") and not any(q["tags"] in t for t in srv["tags"]):
        return False
    if q.get("not-tags") and any(q["not-tags"] in t for t in srv["tags"]):
        return False
    if q.get("server_id") and srv["id"] not in q["server_id"]:
        return False
    return True


def _page_args(ctx):
    try:
        offset = as_int(ctx.req.q("offset", "1"), "offset", minimum=0)
        limit = as_int(ctx.req.q("limit", "25"), "limit", minimum=1)
    except ValueError as e:
        raise _err(400, "Ecs.0005", "Invalid parameter values: %s" % e)
    if limit > 1000:
        raise _err(400, "Ecs.0005", "Invalid parameter values: limit must be <= 1000, got %d" % limit)
    return max(offset, 1), limit


def _servers(ctx, project_id):
    q = {k: ctx.req.q(k) for k in ("name", "status", "flavor", "ip", "ip_eq", "tags", "not-tags")}
    q["server_id"] = ctx.req.qall("server_id")
    srvs = [s for s in ctx.state.d["servers"].values() if s["project_id"] == project_id and _matches(s, q)]
    srvs.sort(key=lambda s: (s["created"], s["id"]))
    return srvs


def list_servers(ctx, project_id):
    """offset is a page number from 1 (0 counts as 1), limit the page size (default 25)."""
    page, limit = _page_args(ctx)
    srvs = _servers(ctx, project_id)
    chunk = srvs[(page - 1) * limit: page * limit]
    return 200, {"count": len(srvs), "servers": [server_json(ctx, s) for s in chunk]}


def list_servers_nova(ctx, project_id):
    srvs = _servers(ctx, project_id)
    marker = ctx.req.q("marker")
    if marker:
        ids = [s["id"] for s in srvs]
        if marker not in ids:
            raise _err(400, "Ecs.0005", "Invalid parameter values: marker %s not found" % marker)
        srvs = srvs[ids.index(marker) + 1:]
    try:
        limit = as_int(ctx.req.q("limit", "1000"), "limit", minimum=1)
    except ValueError as e:
        raise _err(400, "Ecs.0005", "Invalid parameter values: %s" % e)
    return 200, {"servers": [server_json(ctx, s) for s in srvs[:limit]]}


def get_server(ctx, project_id, server_id):
    return 200, {"server": server_json(ctx, _server(ctx, project_id, server_id))}


def _attachment_json(ctx, srv, att):
    vol = ctx.state.d["volumes"].get(att["volume_id"])
    size = _gib(vol["size_bytes"]) if vol else 0
    return {"pciAddress": att["pci"], "volumeId": att["volume_id"], "device": att["device"],
            "serverId": srv["id"], "id": att["volume_id"], "size": str(size),
            "bootIndex": boot_index(srv, att), "bus": att["bus"]}


def attachable(ctx, srv):
    cfg = ctx.state.cfg
    used = len(srv["attachments"]) + len(srv.get("pending", []))
    virtio = sum(1 for a in srv["attachments"] if a["bus"] == "virtio")
    free = max(0, cfg.max_disks_per_server - used)
    return {"free_scsi": free, "free_blk": max(0, min(free, cfg.max_blk_disks_per_server - virtio)),
            "free_disk": free}


def list_block_devices(ctx, project_id, server_id):
    srv = _server(ctx, project_id, server_id)
    return 200, {"attachableQuantity": attachable(ctx, srv),
                 "volumeAttachments": [_attachment_json(ctx, srv, a) for a in srv["attachments"]]}


def get_block_device(ctx, project_id, server_id, volume_id):
    srv = _server(ctx, project_id, server_id)
    for a in srv["attachments"]:
        if a["volume_id"] == volume_id:
            return 200, {"volumeAttachment": _attachment_json(ctx, srv, a)}
    raise _err(404, "Ecs.0111", "The EVS disk has been detached from the ECS. (volume %s is not attached "
               "to server %s)" % (volume_id, server_id))


def list_attachments_nova(ctx, project_id, server_id):
    srv = _server(ctx, project_id, server_id)
    return 200, {"volumeAttachments": [
        {"device": a["device"], "id": a["volume_id"], "serverId": srv["id"], "volumeId": a["volume_id"]}
        for a in srv["attachments"]]}


def _flavor_v1(f):
    return {"id": f["id"], "name": f["id"], "vcpus": str(f["vcpus"]), "ram": f["ram"], "disk": "0",
            "swap": "", "OS-FLV-EXT-DATA:ephemeral": 0, "rxtx_factor": 1.0, "OS-FLV-DISABLED:disabled": False,
            "rxtx_quota": None, "rxtx_cap": None, "os-flavor-access:is_public": True, "links": [],
            "os_extra_specs": {"ecs:performancetype": "normal", "resource_type": "IES",
                               "ecs:virtualization_env_types": "CloudCompute"}}


def list_flavors(ctx, project_id):
    return 200, {"flavors": [_flavor_v1(f) for f in FLAVORS]}


def list_flavors_nova(ctx, project_id):
    return 200, {"flavors": [
        {"id": f["id"], "name": f["id"], "vcpus": f["vcpus"], "ram": f["ram"], "disk": 0, "swap": "",
         "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False, "rxtx_factor": 1.0,
         "os-flavor-access:is_public": True, "links": []} for f in FLAVORS]}


def attach(ctx, project_id, server_id):
    body = ctx.req.json()
    st, cfg = ctx.state, ctx.cfg
    va = body.get("volumeAttachment")
    if not isinstance(va, dict):
        raise _err(400, "Ecs.0005", "Invalid parameter values: volumeAttachment (an object) is required")
    vol_id = va.get("volumeId")
    if not isinstance(vol_id, str) or not vol_id:
        raise _err(400, "Ecs.0005", "Invalid parameter values: volumeAttachment.volumeId is required")
    srv = _server(ctx, project_id, server_id)
    vol = st.d["volumes"].get(vol_id)
    if vol is None or vol["project_id"] != project_id:
        raise _err(400, "Ecs.0103", "The disk can be attached to a server only if it exists and the state "
                   "must be in the available. (volume %s does not exist)" % vol_id)
    if any(a["volume_id"] == vol_id for a in srv["attachments"]) or vol_id in srv.get("pending", []):
        raise _err(400, "Ecs.0057", "The disk has already been attached to the ECS and you cannot "
                   "repeatedly attach it. (volume %s)" % vol_id)
    if vol["status"] != "available":
        raise _err(400, "Ecs.0017", "The status of the selected disk does not meet the attachment "
                   "requirements on the ECS. (volume %s is %s)" % (vol_id, vol["status"]))
    if vol["availability_zone"] != srv["availability_zone"]:
        raise _err(400, "Ecs.0121", "The disk cannot be attached to the ECS because the disk and the ECS "
                   "are in different failure domains. (%s vs %s)" % (vol["availability_zone"], srv["availability_zone"]))
    device = va.get("device")
    used = {a["device"] for a in srv["attachments"]} | set(srv.get("pending_devices", []))
    if device is not None:
        if not isinstance(device, str) or not DEVICE_RE.match(device):
            raise _err(400, "Ecs.0005", "Invalid parameter values: device %r is not like /dev/vdb" % (device,))
        if device in used:
            raise _err(400, "Ecs.0005", "Invalid parameter values: device %s is already in use" % device)
    else:
        device = st.next_device({"attachments": [{"device": d} for d in used]}, vol)
    full = attachable(ctx, srv)["free_disk"] <= 0
    if full and cfg.attach_limit_mode == "sync":
        raise _err(400, "Ecs.0042", "The number of attached data disks exceeds the maximum allowed limit.")
    srv.setdefault("pending", []).append(vol_id)
    srv.setdefault("pending_devices", []).append(device)
    vol["status"] = "attaching"
    job = ctx.app.jobs.submit("attach", project_id, {"server_id": server_id, "volume_id": vol_id,
                                                     "device": device, "over_limit": full},
                              {"server_id": server_id})
    st.mark_dirty()
    return 200, {"job_id": job["id"]}


def _unreserve(srv, vol_id, device):
    if vol_id in srv.get("pending", []):
        srv["pending"].remove(vol_id)
    if device in srv.get("pending_devices", []):
        srv["pending_devices"].remove(device)


def finish_attach(st, job, failure):
    p = job["params"]
    srv = st.d["servers"].get(p["server_id"])
    vol = st.d["volumes"].get(p["volume_id"])
    if srv is not None:
        _unreserve(srv, p["volume_id"], p["device"])
    if failure is None and p.get("over_limit"):
        failure = ["Ecs.0042", "The number of attached data disks exceeds the maximum allowed limit."]
    if failure is None and (srv is None or vol is None):
        failure = ["Ecs.0205", "Failed to attach the data disk: the server or the disk is gone"]
    if failure is not None:
        if vol is not None and vol["status"] == "attaching":
            vol["status"] = "available"
        return failure
    st.attach(srv, vol, p["device"])
    return None


def detach(ctx, project_id, server_id, volume_id):
    st = ctx.state
    flag = ctx.req.q("delete_flag", "0")
    if flag not in ("0", "1"):
        raise _err(400, "Ecs.0005", "Invalid parameter values: delete_flag must be 0 or 1, got %r" % flag)
    srv = _server(ctx, project_id, server_id)
    att = next((a for a in srv["attachments"] if a["volume_id"] == volume_id), None)
    if att is None:
        raise _err(400, "Ecs.0111", "The EVS disk has been detached from the ECS. (volume %s is not "
                   "attached to server %s)" % (volume_id, server_id))
    if att["boot"] and srv["status"] == "ACTIVE" and flag != "1":
        raise _err(400, "Ecs.0102", "The system disk cannot be detached from a running ECS. (volume %s)" % volume_id)
    vol = st.d["volumes"][volume_id]
    if vol["status"] == "detaching":
        raise _err(400, "Ecs.0005", "Invalid parameter values: volume %s is already detaching" % volume_id)
    vol["status"] = "detaching"
    job = ctx.app.jobs.submit("detach", project_id, {"server_id": server_id, "volume_id": volume_id},
                              {"server_id": server_id})
    st.mark_dirty()
    return 200, {"job_id": job["id"]}


def finish_detach(st, job, failure):
    p = job["params"]
    srv = st.d["servers"].get(p["server_id"])
    vol = st.d["volumes"].get(p["volume_id"])
    if failure is not None:
        if vol is not None and vol["status"] == "detaching":
            vol["status"] = "in-use"
        return failure
    if srv is not None and vol is not None:
        st.detach(srv, vol)
    return None


def get_job(ctx, project_id, job_id):
    job = ctx.app.jobs.visible(job_id, ctx.prefix, project_id)
    if job is None:
        if ctx.service == "evs":
            raise apig.evs_error(404, "EVS.5404", "Resource(Volume, Snapshot, Backup .etc) cound not be "
                                 "found. (job %s)" % job_id)
        raise _err(404, "Ecs.0005", "Invalid parameter values: job %s does not exist" % job_id)
    return 200, ctx.app.jobs.to_json(job)
