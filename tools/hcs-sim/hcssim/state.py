"""The simulated installation: projects, servers, disks, snapshots, Dorado objects, jobs, tokens.

One re-entrant lock guards everything; each request holds it for its whole duration (requests are
short, and a coarse lock keeps the HCS view, the Dorado view and the data files consistent).

The HCS records are plain dicts (persisted as state.json); LUN data lives in storage.Family
objects (persisted as maps/<lun>.json plus the sparse files under luns/). identity.json holds the
ids that must survive a reset (project, user, proxy server), so a client's configuration stays
valid across `hcs-sim.sh reset`.
"""
import hashlib
import json
import os
import shutil
import threading

from . import faults as faults_mod
from .storage import Family, remove_trash
from .util import atomic_write, dumps, new_hex32, new_uuid, now

GIB = 1 << 30
STATE_VERSION = 1

FLAVORS = [
    {"id": "s3.large.2", "vcpus": 2, "ram": 4096},
    {"id": "s3.xlarge.2", "vcpus": 4, "ram": 8192},
    {"id": "c3.2xlarge.4", "vcpus": 8, "ram": 32768},
]


def encode_name(os_id):
    """The Cinder driver's LUN name for a volume or snapshot id (huawei_utils.encode_name)."""
    prefix = os_id.split("-")[0] + "-"
    return prefix + hashlib.md5(os_id.encode()).hexdigest()[:31 - len(prefix)]


class State:
    def __init__(self, cfg, state_dir, log):
        self.cfg = cfg
        self.initial_settings = {k: (dict(v) if isinstance(v, dict) else v) for k, v in cfg.values.items()}
        self.dir = state_dir
        self.log = log
        self.lock = threading.RLock()
        self._save_lock = threading.Lock()
        self.faults = faults_mod.Faults()
        self.sessions = {}          # Dorado sessions live in memory only: a restart drops them
        self.families = {}          # live LUN id -> storage.Family
        self.snap_family = {}       # snapshot object id -> live LUN id of its family
        self.pins = {}              # snapshot object id -> clones reading it
        self.dirty = False
        self.dirty_families = set()
        self.job_handlers = {}      # job kind -> (on_running, on_finish); registered by ecs/evs
        for sub in ("luns", "maps", "log"):
            os.makedirs(os.path.join(state_dir, sub), exist_ok=True)
        self.device_dir = cfg.device_dir or os.path.join(state_dir, "dev", "disk", "by-id")
        os.makedirs(self.device_dir, exist_ok=True)
        self.identity = self._load_identity()
        remove_trash(os.path.join(state_dir, "luns"))
        if not self._load():
            self.reset()

    # ------------------------------------------------------------------ identity and reset

    def _load_identity(self):
        path = os.path.join(self.dir, "identity.json")
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                return json.load(f)
        ident = {
            "project_id": new_hex32(),
            "domain_id": new_hex32(),
            "user_id": new_hex32(),
            "proxy_server_id": new_uuid(),
            "proxy_boot_volume_id": new_uuid(),
        }
        atomic_write(path, json.dumps(ident, indent=1), 0o644)
        return ident

    def project_name(self):
        return "%s_%s" % (self.cfg.region, self.cfg.project_name)

    def reset(self):
        """Back to the initial installation (one project, the proxy server with its boot disk) and to
        the settings the simulator started with."""
        with self.lock:
            self.cfg.values.clear()
            self.cfg.values.update({k: (dict(v) if isinstance(v, dict) else v)
                                    for k, v in self.initial_settings.items()})
            for fam in list(self.families.values()):
                fam.close()
            self.families, self.snap_family, self.pins, self.sessions = {}, {}, {}, {}
            self.faults.clear()
            for sub in ("luns", "maps"):
                shutil.rmtree(os.path.join(self.dir, sub), ignore_errors=True)
                os.makedirs(os.path.join(self.dir, sub))
            for name in os.listdir(self.device_dir):
                p = os.path.join(self.device_dir, name)
                if os.path.islink(p) or os.path.isfile(p):
                    os.unlink(p)
            self.d = {
                "version": STATE_VERSION, "gen": 0, "next_obj_id": 129,
                "projects": {}, "servers": {}, "volumes": {}, "snapshots": {},
                "luns": {}, "tombstones": {}, "jobs": {}, "tokens": {},
                "volume_types": [],
            }
            ident = self.identity
            self.d["projects"][ident["project_id"]] = {
                "id": ident["project_id"], "name": self.project_name(),
                "domain_id": ident["domain_id"], "domain_name": self.cfg.iam_domain}
            self.d["volume_types"] = [
                {"id": new_uuid(), "name": self.cfg.volume_type, "description": "Dorado V6 business disks",
                 "backend": "StoragePool001-bu"},
                {"id": new_uuid(), "name": "business_type_02", "description": "Dorado V6 high IOPS",
                 "backend": "StoragePool002-bu"},
            ]
            boot = self.create_volume(ident["project_id"], 10 * GIB, name="blockferry-proxy-volume-0000",
                                      vol_id=ident["proxy_boot_volume_id"], bootable=True)
            self.create_server(ident["project_id"], "blockferry-proxy", server_id=ident["proxy_server_id"],
                               boot_volume_id=boot["id"])
            self.mark_dirty()
        self.save()

    # ------------------------------------------------------------------ ids and objects

    def next_gen(self):
        self.d["gen"] += 1
        return self.d["gen"]

    def next_obj_id(self):
        i = self.d["next_obj_id"]
        self.d["next_obj_id"] = i + 1
        return str(i)

    def wwn(self, obj_id):
        return self.cfg.wwn_prefix + "%08x" % int(obj_id)

    def create_volume(self, project_id, size_bytes, name=None, volume_type=None, az=None, vol_id=None,
                      bootable=False, metadata=None, tags=None, chunk_size=None, description="",
                      snapshot_id=None, status="available"):
        """An EVS disk and its Dorado LUN with an empty sparse data file."""
        if size_bytes <= 0 or size_bytes % 512:
            raise ValueError("size_bytes must be a positive multiple of 512, got %d" % size_bytes)
        grain = chunk_size or self.cfg.chunk_size
        if grain % 512:
            raise ValueError("chunk_size must be a multiple of 512, got %d" % grain)
        vol_id = vol_id or new_uuid()
        lun_id = self.next_obj_id()
        path = os.path.join(self.dir, "luns", lun_id + ".img")
        fam = Family(lun_id, path, size_bytes, grain, create=True)
        self.families[lun_id] = fam
        self.dirty_families.add(lun_id)
        t = now()
        self.d["luns"][lun_id] = {"ID": lun_id, "kind": "lun", "NAME": encode_name(vol_id),
                                  "volume_id": vol_id, "created": t, "grain": grain}
        vol = {
            "id": vol_id, "project_id": project_id, "name": name or ("volume-" + vol_id[:8]),
            "description": description, "size_bytes": size_bytes, "status": status,
            "availability_zone": az or self.cfg.availability_zone,
            "volume_type": volume_type or self.cfg.volume_type, "bootable": bool(bootable),
            "lun_id": lun_id, "metadata": dict(metadata or {}), "tags": dict(tags or {}),
            "created": t, "updated": None, "snapshot_id": snapshot_id, "attachments": [],
            "temporary": snapshot_id is not None,
        }
        self.d["volumes"][vol_id] = vol
        self.mark_dirty()
        return vol

    def create_server(self, project_id, name, server_id=None, boot_volume_id=None, az=None,
                      flavor="s3.large.2", status="ACTIVE", tags=None, metadata=None):
        sid = server_id or new_uuid()
        t = now()
        n = len(self.d["servers"]) + 1
        srv = {
            "id": sid, "project_id": project_id, "name": name, "status": status,
            "flavor_id": flavor, "availability_zone": az or self.cfg.availability_zone,
            "tags": list(tags or []), "metadata": dict(metadata or {}), "created": t, "updated": t,
            "instance_name": "instance-%08x" % (0x137940 + n), "host": "cnakvm%03d" % n,
            "ip": "192.168.0.%d" % (10 + n % 240), "mac": "fa:16:3e:%02x:%02x:%02x" % (n % 256, (n * 7) % 256, (n * 13) % 256),
            "attachments": [],
        }
        self.d["servers"][sid] = srv
        if boot_volume_id:
            self.attach(srv, self.d["volumes"][boot_volume_id], "/dev/vda", boot=True)
        self.mark_dirty()
        return srv

    # ------------------------------------------------------------------ attachments

    def disk_bus(self, vol):
        return "scsi" if str(vol["metadata"].get("hw:passthrough", "false")).lower() == "true" else "virtio"

    def next_device(self, srv, vol):
        used = {a["device"] for a in srv["attachments"]}
        prefix = "/dev/sd" if self.disk_bus(vol) == "scsi" else "/dev/vd"
        for c in "abcdefghijklmnopqrstuvwxyz":
            if prefix + c not in used:
                return prefix + c
        for c1 in "abcdefghijklmnopqrstuvwxyz":
            for c2 in "abcdefghijklmnopqrstuvwxyz":
                if prefix + c1 + c2 not in used:
                    return prefix + c1 + c2
        raise ValueError("no free device name")

    def device_name(self, vol):
        """The guest device-matching rule [I]: how the proxy finds an attached disk under by-id."""
        rule = self.cfg.device_naming
        if rule == "auto":
            rule = "scsi-wwn" if self.disk_bus(vol) == "scsi" else "virtio"
        if rule == "scsi-wwn":
            return "wwn-0x" + self.wwn(vol["lun_id"])
        return "virtio-" + vol["id"][:20]

    def attach(self, srv, vol, device, boot=False):
        slot = len(srv["attachments"]) + 1
        att = {"volume_id": vol["id"], "device": device, "boot": boot, "bus": self.disk_bus(vol),
               "pci": "0000:02:%02x.0" % slot, "attachment_id": new_uuid(), "attached_at": now(),
               "device_file": None}
        if srv["id"] == self.identity["proxy_server_id"]:
            att["device_file"] = self._make_device_file(vol)
        srv["attachments"].append(att)
        vol["attachments"].append({"server_id": srv["id"], "attachment_id": att["attachment_id"],
                                   "attached_at": att["attached_at"], "device": device})
        vol["status"] = "in-use"
        self.mark_dirty()
        return att

    def _make_device_file(self, vol):
        """A read-only device file for the proxy: a symlink to the LUN's flat file (mode 0444)."""
        fam = self.families[vol["lun_id"]]
        path = os.path.join(self.device_dir, self.device_name(vol))
        if os.path.lexists(path):
            os.unlink(path)
        os.chmod(fam.path, 0o444)
        os.symlink(fam.path, path)
        return path

    def detach(self, srv, vol):
        for att in list(srv["attachments"]):
            if att["volume_id"] == vol["id"]:
                if att.get("device_file") and os.path.lexists(att["device_file"]):
                    os.unlink(att["device_file"])
                srv["attachments"].remove(att)
        vol["attachments"] = [a for a in vol["attachments"] if a["server_id"] != srv["id"]]
        if not vol["attachments"] and vol["status"] in ("in-use", "detaching", "attaching"):
            vol["status"] = "available"
        self.mark_dirty()

    # ------------------------------------------------------------------ snapshots and LUNs

    def create_dorado_snapshot(self, vol, snap_id, activate):
        """The Dorado snapshot behind an EVS snapshot; frozen now when HCS activates it itself."""
        obj_id = self.next_obj_id()
        fam = self.families[vol["lun_id"]]
        self.d["luns"][obj_id] = {
            "ID": obj_id, "kind": "snapshot", "NAME": encode_name(snap_id), "DESCRIPTION": snap_id,
            "PARENTID": vol["lun_id"], "RUNNINGSTATUS": "53", "target_status": "43" if activate else "45",
            "size": fam.size, "grain": fam.grain, "created": now(), "snapshot_id": snap_id}
        self.snap_family[obj_id] = vol["lun_id"]
        if activate:
            self.freeze(obj_id)
        self.mark_dirty()
        return obj_id

    def next_activation(self):
        """A new activation number: every snapshot frozen by one activate call (or by HCS at its
        creation) carries the same one, so a test can tell which points share an instant."""
        n = self.d.get("activations", 0) + 1
        self.d["activations"] = n
        return n

    def freeze(self, obj_id, activation=None):
        lun = self.d["luns"][obj_id]
        lun["activation"] = activation if activation is not None else self.next_activation()
        fam = self.families[lun["PARENTID"]]
        snap = fam.freeze(obj_id)
        lun["size"] = snap.size
        lun["frozen"] = True
        self.dirty_families.add(fam.lun_id)
        self.mark_dirty()

    def delete_dorado_object(self, obj_id):
        """Removes a LUN (with its files) or a snapshot (freeing versions only it held)."""
        lun = self.d["luns"].pop(obj_id, None)
        if lun is None:
            return
        self.d["tombstones"][obj_id] = lun["kind"]
        if lun["kind"] == "snapshot":
            fam_id = self.snap_family.pop(obj_id, None)
            fam = self.families.get(fam_id)
            if fam is not None:
                fam.drop_snap(obj_id)
                self.dirty_families.add(fam_id)
        else:
            for sid in [s for s, f in self.snap_family.items() if f == obj_id]:
                self.d["luns"].pop(sid, None)
                self.d["tombstones"][sid] = "snapshot"
                del self.snap_family[sid]
            fam = self.families.pop(obj_id, None)
            if fam is not None:
                fam.remove_files()
            try:
                os.unlink(os.path.join(self.dir, "maps", obj_id + ".json"))
            except FileNotFoundError:
                pass
            self.dirty_families.discard(obj_id)
        self.mark_dirty()

    def family_of(self, obj_id):
        """(family, SnapData or None) for a LUN or an activated snapshot object id."""
        lun = self.d["luns"][obj_id]
        if lun["kind"] == "lun":
            return self.families[obj_id], None
        fam = self.families[lun["PARENTID"]]
        return fam, fam.find_snap(obj_id)

    # ------------------------------------------------------------------ persistence

    def mark_dirty(self, family_id=None):
        self.dirty = True
        if family_id is not None:
            self.dirty_families.add(family_id)

    def save(self):
        """Writes state.json and the maps of changed families (atomically, file by file).

        Lock order: the state lock, then the save lock, never the other way round. A caller may
        already hold the state lock (every control-plane request does, reset and save among them);
        the thread holding the save lock writes files without the state lock and never waits for it,
        so the two cannot deadlock (the background saver and a reset once did)."""
        with self.lock:
            if not self.dirty and not self.dirty_families:
                return
            self._save_lock.acquire()
            try:
                meta = dumps(self.d)
                images = {fid: self.families[fid].save_image()
                          for fid in self.dirty_families if fid in self.families}
                self.dirty = False
                self.dirty_families = set()
            except BaseException:
                self._save_lock.release()
                raise
        try:
            for fid, image in images.items():
                atomic_write(os.path.join(self.dir, "maps", fid + ".json"), Family.image_text(image))
            atomic_write(os.path.join(self.dir, "state.json"), meta)
        finally:
            self._save_lock.release()

    def _load(self):
        path = os.path.join(self.dir, "state.json")
        if not os.path.exists(path):
            return False
        try:
            with open(path, encoding="utf-8") as f:
                d = json.load(f)
            if d.get("version") != STATE_VERSION:
                self.log.warning("state.json has version %s, not %s: starting afresh", d.get("version"), STATE_VERSION)
                return False
            intern = {}
            families = {}
            for lun_id, lun in d["luns"].items():
                if lun["kind"] != "lun":
                    continue
                with open(os.path.join(self.dir, "maps", lun_id + ".json"), encoding="utf-8") as f:
                    families[lun_id] = Family.from_json(json.load(f), intern)
        except (OSError, ValueError, KeyError) as e:
            self.log.warning("cannot load the saved state (%s): starting afresh", e)
            return False
        self.d = d
        self.families = families
        for name in os.listdir(os.path.join(self.dir, "maps")):
            if name.endswith(".json") and name[:-5] not in families:
                os.unlink(os.path.join(self.dir, "maps", name))  # written just after its LUN went
        self.snap_family = {i: l["PARENTID"] for i, l in d["luns"].items() if l["kind"] == "snapshot"}
        self.log.info("loaded state: %d servers, %d volumes, %d snapshots, %d jobs",
                      len(d["servers"]), len(d["volumes"]), len(d["snapshots"]), len(d["jobs"]))
        return True

    def close(self):
        self.save()
        with self.lock:
            for fam in self.families.values():
                fam.close()

