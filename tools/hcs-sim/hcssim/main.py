"""Entry point: `python3 tools/hcs-sim/hcs_sim.py serve --state-dir DIR` runs the simulator in the
foreground (scripts/hcs-sim.sh runs it in the background); `probe` checks that one answers.

Files in the state directory:
  config.json              settings (optional; hcs-sim.sh writes it)
  secrets/*.password       the IAM and Dorado passwords (mode 0600), named by the settings
  tls/ca.crt, server.*     the CA the client trusts and the server certificate (hcs-sim.sh)
  state.json, maps/, luns/ the installation, chunk maps and LUN data (survive a restart)
  identity.json            ids that survive a reset (project, user, proxy server)
  dev/disk/by-id/          default device directory of the proxy's attached disks
  run/info.json            ports and pid of the running simulator; run/client.env its exports
  log/sim.log              the log (no passwords, no tokens, no bodies)
"""
import argparse
import json
import logging
import os
import shlex
import signal
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request

from . import config
from .apig import ApigApp
from .control import ControlApp
from .dorado import DoradoApp
from .jobs import Jobs
from .server import Listener, tls_context
from .state import State
from .util import atomic_write

log = logging.getLogger("hcssim")


def _setup_logging(state_dir):
    os.makedirs(os.path.join(state_dir, "log"), exist_ok=True)
    h = logging.FileHandler(os.path.join(state_dir, "log", "sim.log"))
    h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(message)s"))
    root = logging.getLogger("hcssim")
    root.addHandler(h)
    root.setLevel(logging.INFO)


def _fail(message):
    log.error("%s", message)
    print("hcs-sim: ERROR: %s" % message, file=sys.stderr)
    sys.exit(2)


def client_env(info, st, cfg, state_dir):
    """The exports a client needs (hcs-sim.sh env prints this file). Passwords only as file names."""
    scheme, host = info["scheme"], cfg.public_host
    apig = "%s://%s:%d" % (scheme, host, info["apig_port"])
    values = [
        ("BLOCKFERRY_HCS_IAM_URL", apig + "/iam"),
        ("BLOCKFERRY_HCS_ECS_URL", apig + "/ecs"),
        ("BLOCKFERRY_HCS_EVS_URL", apig + "/evs"),
        ("BLOCKFERRY_HCS_DORADO_URL", "%s://%s:%d/deviceManager/rest" % (scheme, host, info["dorado_port"])),
        ("BLOCKFERRY_HCS_REGION", cfg.region),
        ("BLOCKFERRY_HCS_PROJECT_ID", st.identity["project_id"]),
        ("BLOCKFERRY_HCS_PROJECT_NAME", st.project_name()),
        ("BLOCKFERRY_HCS_DOMAIN", cfg.iam_domain),
        ("BLOCKFERRY_HCS_USER", cfg.iam_user),
        ("BLOCKFERRY_HCS_PASSWORD_FILE", info["iam_password_file"]),
        ("BLOCKFERRY_HCS_DORADO_USER", cfg.dorado_user),
        ("BLOCKFERRY_HCS_DORADO_PASSWORD_FILE", info["dorado_password_file"]),
        ("BLOCKFERRY_HCS_PROXY_SERVER_ID", st.identity["proxy_server_id"]),
        ("BLOCKFERRY_HCS_DEVICE_DIR", st.device_dir),
        ("BLOCKFERRY_HCS_CA_FILE", info["ca_file"]),
        ("BLOCKFERRY_HCS_AVAILABILITY_ZONE", cfg.availability_zone),
        ("BLOCKFERRY_HCS_SIM_CONTROL_URL", "%s://%s:%d/_sim" % (scheme, host, info["control_port"])),
        ("BLOCKFERRY_HCS_SIM_DIR", state_dir),
    ]
    return "".join("export %s=%s\n" % (k, shlex.quote(str(v))) for k, v in values)


def serve(args):
    state_dir = os.path.realpath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    _setup_logging(state_dir)
    cfg_file = args.config or os.path.join(state_dir, "config.json")
    try:
        cfg = config.load(cfg_file if os.path.exists(cfg_file) else None)
    except (OSError, ValueError) as e:
        _fail(str(e))
    secrets_dir = os.path.join(state_dir, "secrets")
    iam_pw_file = cfg.iam_password_file or os.path.join(secrets_dir, "iam.password")
    dorado_pw_file = cfg.dorado_password_file or os.path.join(secrets_dir, "dorado.password")
    try:
        iam_password = config.read_password(iam_pw_file, "IAM")
        dorado_password = config.read_password(dorado_pw_file, "Dorado")
    except OSError as e:
        _fail("cannot read a password file: %s" % e)
    except ValueError as e:
        _fail(str(e))
    ctx = None
    ca_file = ""
    if cfg.tls:
        cert = cfg.tls_cert or os.path.join(state_dir, "tls", "server.crt")
        key = cfg.tls_key or os.path.join(state_dir, "tls", "server.key")
        try:
            ctx = tls_context(cert, key)
        except (OSError, ssl.SSLError) as e:
            _fail("cannot load the TLS certificate %s / key %s: %s (scripts/hcs-sim.sh start makes them)" % (cert, key, e))
        ca_file = os.path.join(os.path.dirname(cert), "ca.crt")
    st = State(cfg, state_dir, log)
    jobs = Jobs(st)
    listeners = {}
    apig = ApigApp(st, jobs, "https" if ctx else "http", lambda: listeners["apig"].port)
    apig.iam_password = iam_password
    dorado = DoradoApp(st, ctx is not None)
    dorado.password = dorado_password
    info = {"scheme": "https" if ctx else "http", "pid": os.getpid(), "iam_password_file": iam_pw_file,
            "dorado_password_file": dorado_pw_file, "ca_file": ca_file}
    control = ControlApp(st, jobs, info)
    for name, app, port in (("apig", apig, cfg.apig_port), ("dorado", dorado, cfg.dorado_port),
                            ("control", control, cfg.control_port)):
        try:
            listeners[name] = Listener(app, cfg.bind, port, ctx)
        except OSError as e:
            _fail("cannot listen on %s:%d for %s: %s (another simulator? set the ports)" % (cfg.bind, port, name, e))
        info[name + "_port"] = listeners[name].port
    for lst in listeners.values():
        lst.start()
    jobs.start()
    stop = threading.Event()

    def saver():
        while not stop.wait(0.5):
            try:
                st.save()
            except Exception:
                log.exception("saving the state failed")

    threading.Thread(target=saver, name="saver", daemon=True).start()
    run_dir = os.path.join(state_dir, "run")
    os.makedirs(run_dir, exist_ok=True)
    atomic_write(os.path.join(run_dir, "client.env"), client_env(info, st, cfg, state_dir), 0o644)
    atomic_write(os.path.join(run_dir, "info.json"), json.dumps(info, indent=1), 0o644)
    log.info("listening: apig %s://%s:%d, dorado :%d, control :%d; state %s", info["scheme"], cfg.bind,
             info["apig_port"], info["dorado_port"], info["control_port"], state_dir)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *a: stop.set())
    while not stop.wait(0.2):
        pass
    log.info("stopping")
    for lst in listeners.values():
        lst.shutdown()
        lst.server_close()
    jobs.stop()
    st.close()
    try:
        os.unlink(os.path.join(run_dir, "info.json"))
    except FileNotFoundError:
        pass
    log.info("stopped")
    return 0


def probe(args):
    """Exit 0 when the simulator of this state directory answers its control plane's health check.
    With --wait, keeps trying that long (as long as --pid, if given, is alive)."""
    deadline = time.monotonic() + args.wait
    while True:
        if _probe_once(args):
            return 0
        if time.monotonic() >= deadline:
            return 1
        if args.pid and not os.path.exists("/proc/%d" % args.pid):
            return 3
        time.sleep(0.05)


def _probe_once(args):
    state_dir = os.path.realpath(args.state_dir)
    try:
        with open(os.path.join(state_dir, "run", "info.json"), encoding="utf-8") as f:
            info = json.load(f)
    except (OSError, ValueError):
        return False
    ctx = None
    if info["scheme"] == "https":
        ctx = ssl.create_default_context(cafile=info["ca_file"])
    url = "%s://127.0.0.1:%d/_sim/health" % (info["scheme"], info["control_port"])
    try:
        with urllib.request.urlopen(url, timeout=args.timeout, context=ctx) as r:
            ok = r.status == 200 and json.load(r).get("ok") is True
    except (OSError, ValueError, ssl.SSLError) as e:
        if args.verbose:
            print("probe %s: %s" % (url, e), file=sys.stderr)
        return False
    if ok and args.verbose:
        print("pid %d" % info["pid"])
    return ok


def request(args):
    """A control-plane call from the shell (hcs-sim.sh reset): METHOD PATH [JSON]."""
    state_dir = os.path.realpath(args.state_dir)
    with open(os.path.join(state_dir, "run", "info.json"), encoding="utf-8") as f:
        info = json.load(f)
    ctx = ssl.create_default_context(cafile=info["ca_file"]) if info["scheme"] == "https" else None
    url = "%s://127.0.0.1:%d%s" % (info["scheme"], info["control_port"], args.path)
    data = args.body.encode() if args.body else None
    req = urllib.request.Request(url, data=data, method=args.method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=60, context=ctx) as r:
            sys.stdout.write(r.read().decode() + "\n")
            return 0
    except urllib.error.HTTPError as e:
        sys.stderr.write(e.read().decode() + "\n")
        return 1


def check(args):
    """Exit 0 when the settings (config file and environment) are valid; print the problem otherwise."""
    state_dir = os.path.realpath(args.state_dir)
    cfg_file = args.config or os.path.join(state_dir, "config.json")
    try:
        config.load(cfg_file if os.path.exists(cfg_file) else None)
    except (OSError, ValueError) as e:
        print("hcs-sim: ERROR: %s" % e, file=sys.stderr)
        return 2
    return 0


def main(argv=None):
    if sys.version_info < (3, 10):
        print("hcs-sim: ERROR: python %d.%d is too old: the simulator needs 3.10 or later" % sys.version_info[:2],
              file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(prog="hcs_sim.py", description="HCS 8.0.2 / OceanStor Dorado V6 simulator")
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="run the simulator in the foreground")
    s.add_argument("--state-dir", required=True)
    s.add_argument("--config", help="JSON settings file (default <state-dir>/config.json)")
    p = sub.add_parser("probe", help="exit 0 if the simulator of a state directory answers")
    p.add_argument("--state-dir", required=True)
    p.add_argument("--timeout", type=float, default=2.0, help="seconds per attempt")
    p.add_argument("--wait", type=float, default=0.0, help="keep trying this many seconds")
    p.add_argument("--pid", type=int, default=0, help="give up when this process is gone")
    p.add_argument("-v", "--verbose", action="store_true")
    c = sub.add_parser("check", help="validate the settings of a state directory")
    c.add_argument("--state-dir", required=True)
    c.add_argument("--config")
    r = sub.add_parser("request", help="call the control plane: METHOD PATH [JSON]")
    r.add_argument("--state-dir", required=True)
    r.add_argument("method")
    r.add_argument("path")
    r.add_argument("body", nargs="?")
    args = ap.parse_args(argv)
    return {"serve": serve, "probe": probe, "check": check, "request": request}[args.cmd](args)
