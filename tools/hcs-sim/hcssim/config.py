"""Settings of the simulator: defaults, where they come from, and how they are checked.

Every setting has one definition here (name, default, type, whether it may change while the
simulator runs, whether it stands for an inferred [I] fact of hcs-dorado-api.md §5). The README's
settings table is written from this list, so the two cannot drift apart silently.

Sources, later ones winning: the defaults below, a JSON config file (--config, or
<state-dir>/config.json), the environment (HCS_SIM_<NAME upper-cased>), and at run time
PUT /_sim/settings for the settings marked runtime. Passwords never appear in any of these as
values: only the names of files holding them (iam_password_file, dorado_password_file).
"""
import json
import os

MIB = 1024 * 1024


class Setting:
    def __init__(self, name, default, kind, doc, runtime=True, inferred=False, choices=None,
                 minimum=None):
        self.name = name
        self.default = default
        self.kind = kind  # "int", "float", "bool", "str", "dict"
        self.doc = doc
        self.runtime = runtime
        self.inferred = inferred
        self.choices = choices
        self.minimum = minimum

    def parse(self, value):
        """Turns a JSON or environment value into the setting's type, or raises ValueError naming it."""
        k = self.kind
        try:
            if k == "int":
                if isinstance(value, bool):
                    raise ValueError
                v = int(value)
            elif k == "float":
                if isinstance(value, bool):
                    raise ValueError
                v = float(value)
            elif k == "bool":
                if isinstance(value, bool):
                    v = value
                elif str(value).lower() in ("1", "true", "yes", "on"):
                    v = True
                elif str(value).lower() in ("0", "false", "no", "off"):
                    v = False
                else:
                    raise ValueError
            elif k == "dict":
                v = json.loads(value) if isinstance(value, str) else value
                if not isinstance(v, dict):
                    raise ValueError
                merged = dict(self.default)
                unknown = set(v) - set(self.default)
                if unknown:
                    raise ValueError("unknown keys %s" % sorted(unknown))
                merged.update({a: str(b) for a, b in v.items()})
                v = merged
            else:
                if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                    raise ValueError
                v = str(value)
        except ValueError as e:
            detail = (": %s" % e) if str(e) else ""
            raise ValueError("setting %s: %r is not a valid %s%s" % (self.name, value, k, detail))
        if self.choices is not None and v not in self.choices:
            raise ValueError("setting %s: %r is not one of %s" % (self.name, v, ", ".join(self.choices)))
        if self.minimum is not None and v < self.minimum:
            raise ValueError("setting %s: %r is below the minimum %s" % (self.name, v, self.minimum))
        return v


DEFAULT_JOB_TYPES = {
    "attach": "attachVolume",
    "detach": "detachVolume",
    "create_volume": "createVolume",
    "delete_volume": "deleteVolume",
}

SETTINGS = [
    # --- listeners and files (fixed for the life of the process) ---
    Setting("bind", "127.0.0.1", "str", "address the three listeners bind to", runtime=False),
    Setting("apig_port", 18443, "int", "HCS APIG listener (IAM, ECS, EVS)", runtime=False, minimum=0),
    Setting("dorado_port", 18088, "int", "Dorado deviceManager listener", runtime=False, minimum=0),
    Setting("control_port", 18089, "int", "test-only control plane listener (/_sim/...)", runtime=False, minimum=0),
    Setting("tls", True, "bool", "serve HTTPS (false: plain HTTP)", runtime=False),
    Setting("tls_cert", "", "str", "server certificate (PEM); default <state-dir>/tls/server.crt", runtime=False),
    Setting("tls_key", "", "str", "server key (PEM); default <state-dir>/tls/server.key", runtime=False),
    Setting("public_host", "127.0.0.1", "str", "host name put into the token catalog's URLs", runtime=False),
    Setting("device_dir", "", "str", "where attached disks appear for the proxy (production: /dev/disk/by-id); "
            "default <state-dir>/dev/disk/by-id", runtime=False),
    # --- credentials: names and password files, never passwords ---
    Setting("iam_user", "blockferry", "str", "IAM user name", runtime=False),
    Setting("iam_password_file", "", "str", "file holding the IAM password (first line)", runtime=False),
    Setting("iam_domain", "blockferry-domain", "str", "IAM user's domain name", runtime=False),
    Setting("dorado_user", "blockferry", "str", "Dorado user name", runtime=False),
    Setting("dorado_password_file", "", "str", "file holding the Dorado password (first line)", runtime=False),
    # --- identity of the simulated installation ---
    Setting("region", "sc-cd-1", "str", "HCS region (project names are <region>_<name>)", runtime=False),
    Setting("project_name", "blockferry", "str", "name part of the default project", runtime=False),
    Setting("availability_zone", "az0.dc0", "str", "default AZ of servers and disks", runtime=False),
    Setting("volume_type", "business_type_01", "str", "default disk type", runtime=False),
    Setting("array_sn", "2102351NPT10J3000001", "str", "Dorado serial number = deviceid = driver_data.sn", runtime=False),
    Setting("wwn_prefix", "658f987100b749bcc5d447af", "str",
            "24 hex digits; a LUN's WWN is this + its ID as 8 hex digits", runtime=False),
    Setting("storage_type", "OceanStorV5", "str", "volume metadata.StorageType (the captured value)", runtime=False),
    # --- timing ---
    Setting("token_ttl_seconds", 86400.0, "float", "IAM token lifetime (real: 24 h)", minimum=0.0),
    Setting("job_init_seconds", 0.2, "float", "time a job stays INIT", minimum=0.0),
    Setting("job_run_seconds", 1.0, "float", "time a job stays RUNNING (at least)", minimum=0.0),
    Setting("job_ttl_seconds", 600.0, "float", "a finished job answers 404 this long after it ended", minimum=0.0),
    Setting("snapshot_create_seconds", 0.5, "float", "time an EVS snapshot stays 'creating' (Dorado 53)", minimum=0.0),
    # --- limits ---
    Setting("snapshot_limit", 128, "int", "snapshots per disk", minimum=1),
    Setting("max_disks_per_server", 24, "int", "VBD disks per server, boot disk included", minimum=1),
    Setting("max_blk_disks_per_server", 16, "int", "virtio-blk slots per server (free_blk)", minimum=1),
    Setting("bitmap_max_segment_bytes", 256 * MIB, "int", "longest SEGMENTLENGTHBYTES accepted", minimum=512),
    # --- the inferred facts of hcs-dorado-api.md §5, each a setting ---
    Setting("bitmap_encoding", "BASE64", "str", "CHUNKBITMAP encoding", inferred=True,
            choices=("BASE64", "HEX", "BITCHARS")),
    Setting("bitmap_bit_order", "MSB_FIRST", "str", "bit order inside a byte (BASE64/HEX); chunk 0 is "
            "bit 7 of byte 0 with MSB_FIRST", inferred=True, choices=("MSB_FIRST", "LSB_FIRST")),
    Setting("chunk_size_field", "CHUNKSIZE", "str", "field of GET lun/{id} and snapshot/{id} carrying the "
            "chunk size (bytes, as a string)", inferred=True),
    Setting("chunk_size", 65536, "int", "chunk (grain) size of LUNs created from now on, bytes, "
            "a multiple of 512", inferred=True, minimum=512),
    Setting("snapshot_limit_mode", "sync", "str", "129th snapshot: 'sync' = 400 with snapshot_limit_code, "
            "'async' = 202 then status 'error'", inferred=True, choices=("sync", "async")),
    Setting("snapshot_limit_code", "EVS.SIM128", "str", "EVS error code of the sync snapshot-limit answer "
            "(placeholder, simulator-only)", inferred=True),
    Setting("snapshot_limit_dorado_code", 1073754138, "int", "Dorado code recorded as the failure of an "
            "async-limit snapshot (placeholder, simulator-only)", inferred=True),
    Setting("apig_401_body", "APIGW.0307", "str", "body of the 401 for an expired token: 'APIGW.0307' "
            "(The token must be updated.) or 'APIG.0301' (Incorrect IAM authentication information: "
            "token expires, ...)", inferred=True, choices=("APIGW.0307", "APIG.0301")),
    Setting("dorado_session_idle_seconds", 1200.0, "float", "a Dorado session expires after this much "
            "idle time", inferred=True, minimum=0.0),
    Setting("dorado_cookie_name", "session", "str", "name of the Dorado session cookie (value "
            "ismsession=<hex>)", inferred=True),
    Setting("dorado_login_error_code", 1077949061, "int", "Dorado code for a wrong user or password",
            inferred=True),
    Setting("dorado_accountstate", 2, "int", "data.accountstate of a login (3 or 4: password expired "
            "or initial)", inferred=True),
    Setting("job_types", DEFAULT_JOB_TYPES, "dict", "job_type names of the four job kinds", inferred=True),
    Setting("device_naming", "auto", "str", "name of an attached disk's device file: 'virtio' = "
            "virtio-<first 20 chars of volume id>, 'scsi-wwn' = wwn-0x<lun_wwn>, 'auto' = scsi-wwn for "
            "hw:passthrough=true disks, virtio otherwise", inferred=True,
            choices=("auto", "virtio", "scsi-wwn")),
    Setting("bitmap_last_chunk", "CLIP", "str", "a LUN that is not a multiple of BITMAPCHUNKSIZE: 'CLIP' "
            "= the last segment ends at the LUN end and its last bit covers the partial chunk; 'PAD' = "
            "segments stay chunk multiples and the last may run past the end by less than a chunk",
            inferred=True, choices=("CLIP", "PAD")),
    Setting("bitmap_expanded_rule", "REJECT_BEYOND_OLD", "str", "get_unshared between objects of "
            "different sizes: 'REJECT_BEYOND_OLD' = 50331651 only for segments reaching past the smaller "
            "size; 'REJECT' = always 50331651; 'TAIL_CHANGED' = answer, bits past the smaller size set",
            inferred=True, choices=("REJECT_BEYOND_OLD", "REJECT", "TAIL_CHANGED")),
    Setting("auto_activate", True, "bool", "HCS activates the Dorado snapshot itself (RUNNINGSTATUS 43); "
            "false leaves it 45 until snapshot/activate", inferred=True),
    Setting("attach_limit_mode", "sync", "str", "over the disk limit: 'sync' = 400 Ecs.0042, 'job' = the "
            "attach job FAILs with Ecs.0042", inferred=True, choices=("sync", "job")),
    Setting("snapshot_requires_force", True, "bool", "a snapshot of an in-use disk needs \"force\": true "
            "(Cinder's rule; false accepts it without)", inferred=True),
    Setting("zero_detect", True, "bool", "a chunk written to all zeros is deallocated (holes in "
            "get_alloc), like Dorado's zero-page detection", inferred=True),
]

BY_NAME = {s.name: s for s in SETTINGS}


class Config:
    """The current settings (a plain dict underneath), plus the passwords read from their files."""

    def __init__(self, values):
        self.values = values

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name)

    def update(self, changes, at_runtime=True):
        """Validates every change first, then applies them all; raises ValueError naming the culprit."""
        if not isinstance(changes, dict):
            raise ValueError("settings must be a JSON object")
        parsed = {}
        for name, value in changes.items():
            s = BY_NAME.get(name)
            if s is None:
                raise ValueError("unknown setting %r" % name)
            if at_runtime and not s.runtime:
                raise ValueError("setting %s cannot change while the simulator runs (restart it)" % name)
            parsed[name] = s.parse(value)
        if "wwn_prefix" in parsed:
            check_wwn_prefix(parsed["wwn_prefix"])
        if "chunk_size" in parsed and parsed["chunk_size"] % 512:
            raise ValueError("setting chunk_size: %d is not a multiple of 512" % parsed["chunk_size"])
        self.values.update(parsed)

    def public(self):
        return dict(self.values)


def check_wwn_prefix(p):
    if len(p) != 24 or any(c not in "0123456789abcdef" for c in p):
        raise ValueError("setting wwn_prefix: %r is not 24 lower-case hex digits" % p)


def load(config_file=None, env=None, overrides=None):
    env = os.environ if env is None else env
    values = {s.name: (dict(s.default) if isinstance(s.default, dict) else s.default) for s in SETTINGS}
    cfg = Config(values)
    if config_file:
        with open(config_file, encoding="utf-8") as f:
            try:
                data = json.load(f)
            except ValueError as e:
                raise ValueError("config file %s is not JSON: %s" % (config_file, e))
        cfg.update(data, at_runtime=False)
    from_env = {}
    for s in SETTINGS:
        key = "HCS_SIM_" + s.name.upper()
        if key in env:
            from_env[s.name] = env[key]
    cfg.update(from_env, at_runtime=False)
    if overrides:
        cfg.update(overrides, at_runtime=False)
    check_wwn_prefix(cfg.wwn_prefix)
    return cfg


def read_password(path, what):
    """First line of a password file. The password itself is never logged or echoed."""
    if not path:
        raise ValueError("%s: no password file configured" % what)
    with open(path, encoding="utf-8") as f:
        line = f.readline().rstrip("\r\n")
    if not line:
        raise ValueError("%s: password file %s is empty" % (what, path))
    return line
