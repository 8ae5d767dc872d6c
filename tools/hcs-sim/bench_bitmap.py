#!/usr/bin/env python3
"""Measures get_unshared over a big sparse LUN, the way a client pages it: one HTTPS request per
256 MiB segment over one keep-alive connection, each CHUNKBITMAP decoded on its own.

Usage (against a simulator started by scripts/hcs-sim.sh):
    eval "$(scripts/hcs-sim.sh env)"
    python3 tools/hcs-sim/bench_bitmap.py [--size-tib 2] [--changed-percent 1]

It creates a volume of the given size through the control plane, writes 4 KiB into 1% of its
64 KiB chunks (the base), snapshots, writes 4 KiB into another 1% of the chunks (half of them
already written in the base, so copy-on-write runs too), snapshots again, then times the
get_unshared calls over the whole LUN and checks the decoded chunk count.
"""
import argparse
import base64
import http.client
import json
import os
import ssl
import sys
import time
import urllib.parse

SEGMENT = 256 << 20
CHUNK = 65536


class Client:
    def __init__(self, url, ca):
        u = urllib.parse.urlsplit(url)
        self.base = u.path.rstrip("/")
        ctx = ssl.create_default_context(cafile=ca) if u.scheme == "https" else None
        if ctx:
            self.conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=600)
        else:
            self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)

    def call(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        self.conn.request(method, self.base + path, body=data, headers=h)
        r = self.conn.getresponse()
        payload = r.read()
        return r.status, r.getheaders(), json.loads(payload) if payload else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-tib", type=float, default=2.0)
    ap.add_argument("--changed-percent", type=float, default=1.0)
    args = ap.parse_args()
    env = os.environ
    ca = env.get("BLOCKFERRY_HCS_CA_FILE") or None
    control = Client(env["BLOCKFERRY_HCS_SIM_CONTROL_URL"], ca)
    dorado = Client(env["BLOCKFERRY_HCS_DORADO_URL"], ca)
    iam = Client(env["BLOCKFERRY_HCS_IAM_URL"], ca)
    evs = Client(env["BLOCKFERRY_HCS_EVS_URL"], ca)
    project = env["BLOCKFERRY_HCS_PROJECT_ID"]
    with open(env["BLOCKFERRY_HCS_PASSWORD_FILE"]) as f:
        iam_pw = f.readline().strip()
    with open(env["BLOCKFERRY_HCS_DORADO_PASSWORD_FILE"]) as f:
        dorado_pw = f.readline().strip()

    size = int(args.size_tib * (1 << 40))
    chunks = size // CHUNK
    stride = int(round(100 / args.changed_percent))
    count = chunks // stride
    t = time.monotonic()
    st, _, vol = control.call("POST", "/volumes", {"size_bytes": size, "name": "bench"})
    assert st == 201, vol
    vid = vol["id"]
    for offset, seed in ((0, 1), (stride // 2 * CHUNK, 2)):
        st, _, r = control.call("POST", "/volumes/%s/write" % vid, {
            "offset": offset, "length": 4096, "pattern": {"seed": seed},
            "repeat": {"stride": stride * CHUNK, "count": count}})
        assert st == 200, r
        if seed == 1:
            snap_a = snapshot(iam, evs, project, env, iam_pw, vid)
    snap_b = snapshot(iam, evs, project, env, iam_pw, vid)
    print("setup: %.1f TiB LUN, %d chunks, %d changed chunks, %.1f s" % (
        args.size_tib, chunks, count, time.monotonic() - t))

    st, headers, login = dorado.call("POST", "/xx/sessions", {"username": env["BLOCKFERRY_HCS_DORADO_USER"],
                                                              "password": dorado_pw, "scope": "0"})
    cookie = dict(headers)["Set-Cookie"].split(";")[0]
    h = {"iBaseToken": login["data"]["iBaseToken"], "Cookie": cookie}
    dev = login["data"]["deviceid"]
    t = time.monotonic()
    changed = 0
    calls = 0
    for off in range(0, size, SEGMENT):
        length = min(SEGMENT, size - off)
        q = "LUNID=%s&BASELUNID=%s&BITMAPCHUNKSIZE=%d&SEGMENTLENGTHBYTES=%d&SEGMENTSTARTOFFSETBYTES=%d" % (
            snap_b, snap_a, CHUNK, length, off)
        st, _, r = dorado.call("GET", "/%s/lun_bitmap/get_unshared?%s" % (dev, q), headers=h)
        assert r["error"]["code"] == 0, r
        raw = base64.b64decode(r["data"]["CHUNKBITMAP"])
        changed += sum(bin(b).count("1") for b in raw)
        calls += 1
    dt = time.monotonic() - t
    print("get_unshared: %d calls of 256 MiB in %.2f s (%.2f ms a call), %d chunks marked" % (
        calls, dt, dt * 1000 / calls, changed))
    if changed != count:
        print("MISMATCH: expected %d changed chunks" % count)
        return 1
    control.call("DELETE", "/volumes/%s" % vid)
    return 0


def snapshot(iam, evs, project, env, pw, vid):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": env["BLOCKFERRY_HCS_USER"], "password": pw, "domain": {"name": env["BLOCKFERRY_HCS_DOMAIN"]}}}},
        "scope": {"project": {"id": project}}}}
    st, headers, _ = iam.call("POST", "/v3/auth/tokens", body)
    token = dict(headers)["X-Subject-Token"]
    st, _, r = evs.call("POST", "/v2/%s/cloudsnapshots" % project,
                        {"snapshot": {"volume_id": vid, "force": True}}, {"X-Auth-Token": token})
    assert st == 202, r
    sid = r["snapshot"]["id"]
    while True:
        st, _, r = evs.call("GET", "/v2/%s/cloudsnapshots/%s" % (project, sid), headers={"X-Auth-Token": token})
        if r["snapshot"]["status"] == "available":
            return json.loads(r["snapshot"]["provider_auth"])["lun_id"]
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
