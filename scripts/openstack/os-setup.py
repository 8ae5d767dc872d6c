#!/usr/bin/python3
"""Idempotent Keystone/Nova/Cinder/Glance set-up for scripts/openstack-dev.sh.

Usage: os-setup.py identity|resources STATE_DIR

identity   services + endpoints, the service project and users, the demo domains, projects,
           users and role assignments (run as the bootstrap admin as soon as Keystone answers)
resources  flavors, volume types, the cirros-fake image (needs every API up), and a wait until
           the Cinder scheduler knows both RBD backends

Passwords are read from STATE_DIR/secrets/*.pw and never printed. Run with /usr/bin/python3,
a system-only PATH and no PYTHONPATH.
"""
import os
import sys
import time

import openstack
from openstack import exceptions as osexc

REGION = "RegionOne"
AUTH_URL = "http://127.0.0.1:5000/v3"

SERVICES = [  # name, type, description, url
    ("glance", "image", "Glance image service", "http://127.0.0.1:9292"),
    ("placement", "placement", "Placement API", "http://127.0.0.1:8778"),
    ("cinderv3", "volumev3", "Cinder block storage v3", "http://127.0.0.1:8776/v3/%(project_id)s"),
    ("nova", "compute", "Nova compute", "http://127.0.0.1:8774/v2.1"),
    ("neutron", "network", "Neutron networking", "http://127.0.0.1:9696"),
]
SERVICE_USERS = ["glance", "placement", "cinder", "nova", "neutron"]

FLAVORS = [  # name, vcpus, ram MB, disk GB
    ("bf.small", 1, 512, 1),
    ("bf.medium", 2, 1024, 2),
]
VOLUME_TYPES = [  # name, volume_backend_name, description
    ("ceph-ssd", "ceph-ssd", "RBD pool volumes"),
    ("ceph-hdd", "ceph-hdd", "RBD pool volumes-hdd"),
    ("lvm-unmapped", "lvm-unmapped", "no backend has this name: for unmapped-type tests"),
]
BACKEND_POOLS = ["ceph-ssd", "ceph-hdd"]
IMAGE_NAME = "cirros-fake"


def say(msg):
    print(msg, file=sys.stderr, flush=True)


class Setup:
    def __init__(self, state_dir):
        self.state = state_dir
        self.conn = self.connect("admin", "admin", self.pw("admin"))

    def pw(self, name):
        with open(os.path.join(self.state, "secrets", name + ".pw")) as f:
            return f.read().strip()

    @staticmethod
    def connect(user, project, password, user_domain="Default", project_domain="Default"):
        return openstack.connect(
            load_yaml_config=False,
            load_envvars=False,
            auth_type="password",
            auth=dict(
                auth_url=AUTH_URL,
                username=user,
                password=password,
                project_name=project,
                user_domain_name=user_domain,
                project_domain_name=project_domain,
            ),
            region_name=REGION,
            interface="public",
            identity_api_version="3",
        )

    # ---- identity -------------------------------------------------------------------------

    def domain(self, name, description):
        idn = self.conn.identity
        d = idn.find_domain(name, ignore_missing=True)
        if d is None:
            d = idn.create_domain(name=name, description=description, is_enabled=True)
            say(f"created domain {name}")
        return d

    def project(self, name, domain, description):
        idn = self.conn.identity
        p = idn.find_project(name, ignore_missing=True, domain_id=domain.id)
        if p is None:
            p = idn.create_project(name=name, domain_id=domain.id, description=description, is_enabled=True)
            say(f"created project {name} (domain {domain.name})")
        return p

    def role(self, name):
        idn = self.conn.identity
        r = idn.find_role(name, ignore_missing=True)
        if r is None:
            r = idn.create_role(name=name)
            say(f"created role {name}")
        return r

    def user(self, name, domain, password, project):
        idn = self.conn.identity
        u = idn.find_user(name, ignore_missing=True, domain_id=domain.id)
        if u is None:
            u = idn.create_user(name=name, domain_id=domain.id, password=password,
                                default_project_id=project.id, is_enabled=True)
            say(f"created user {name} (domain {domain.name})")
        elif not self.password_ok(name, domain, password, project):
            idn.update_user(u, password=password)
            say(f"reset the password of user {name} to the one in secrets/")
        return u

    def password_ok(self, name, domain, password, project):
        try:
            c = self.connect(name, project.name, password, domain.name, self.domain_name(project))
            c.authorize()
            return True
        except (osexc.HttpException, osexc.SDKException):
            return False

    def domain_name(self, project):
        return self.conn.identity.get_domain(project.domain_id).name

    def grant(self, project, user, *roles):
        for r in roles:
            self.conn.identity.assign_project_role_to_user(project, user, self.role(r))

    def service(self, name, stype, description, url):
        idn = self.conn.identity
        svc = next((s for s in idn.services() if s.name == name and s.type == stype), None)
        if svc is None:
            svc = idn.create_service(name=name, type=stype, description=description, is_enabled=True)
            say(f"registered service {name} ({stype})")
        existing = list(idn.endpoints(service_id=svc.id))
        for iface in ("public", "internal", "admin"):
            eps = [e for e in existing if e.interface == iface and e.region_id == REGION]
            if eps:
                if eps[0].url != url:
                    idn.update_endpoint(eps[0], url=url)
                    say(f"updated {iface} endpoint of {name}: {url}")
                continue
            idn.create_endpoint(service_id=svc.id, interface=iface, url=url, region_id=REGION)
        return svc

    def identity(self):
        t = time.time()
        default = self.conn.identity.find_domain("default") or self.domain("Default", "")
        for r in ("admin", "member", "reader", "service"):
            self.role(r)
        service_project = self.project("service", default, "OpenStack service users")
        for name, stype, desc, url in SERVICES:
            self.service(name, stype, desc, url)
        spw = self.pw("service")
        for name in SERVICE_USERS:
            u = self.user(name, default, spw, service_project)
            self.grant(service_project, u, "admin", "service")

        demo = self.project("blockferry-demo", default, "Blockferry demo and integration tests")
        u = self.user("blockferry", default, self.pw("blockferry"), demo)
        self.grant(demo, u, "member", "admin")
        u = self.user("blockferry-reader", default, self.pw("blockferry-reader"), demo)
        self.grant(demo, u, "reader")

        other_domain = self.domain("blockferry-other", "Second domain for multi-domain tests")
        other = self.project("other-project", other_domain, "Project in the second domain")
        u = self.user("other-user", other_domain, self.pw("other-user"), other)
        self.grant(other, u, "member")
        say(f"identity ready in {time.time() - t:.1f}s (services, endpoints, users, projects)")

    # ---- resources ------------------------------------------------------------------------

    def flavors(self):
        cmp = self.conn.compute
        for name, vcpus, ram, disk in FLAVORS:
            f = cmp.find_flavor(name, ignore_missing=True)
            if f is None:
                cmp.create_flavor(name=name, vcpus=vcpus, ram=ram, disk=disk, is_public=True)
                say(f"created flavor {name}")
            elif (f.vcpus, f.ram, f.disk) != (vcpus, ram, disk):
                say(f"WARNING: flavor {name} exists with vcpus/ram/disk {f.vcpus}/{f.ram}/{f.disk}")

    def volume_types(self):
        bs = self.conn.block_storage
        for name, backend, desc in VOLUME_TYPES:
            vt = bs.find_type(name, ignore_missing=True)
            if vt is None:
                bs.create_type(name=name, description=desc, is_public=True,
                               extra_specs={"volume_backend_name": backend})
                say(f"created volume type {name} (volume_backend_name={backend})")
            elif (vt.extra_specs or {}).get("volume_backend_name") != backend:
                say(f"WARNING: volume type {name} has extra specs {vt.extra_specs}")

    def wait_backend_pools(self, timeout):
        deadline = time.time() + timeout
        while True:
            try:
                names = [p.name for p in self.conn.block_storage.backend_pools()]
            except osexc.SDKException:
                names = []
            missing = [b for b in BACKEND_POOLS if not any(n.endswith("#" + b) for n in names)]
            if not missing:
                return
            if time.time() > deadline:
                raise SystemExit(f"cinder-scheduler does not know backends {missing} after {timeout}s "
                                 "(see log/cinder-volume.log and log/cinder-scheduler.log)")
            time.sleep(1)

    def image(self):
        path = os.path.join(self.state, "lib", IMAGE_NAME + ".raw")
        img = self.conn.image.find_image(IMAGE_NAME, ignore_missing=True)
        if img is not None and img.status == "active":
            return
        if img is not None:
            say(f"image {IMAGE_NAME} is {img.status}: deleting and uploading again")
            self.conn.image.delete_image(img)
        img = self.conn.create_image(
            IMAGE_NAME, filename=path, disk_format="raw", container_format="bare",
            visibility="public", wait=True, timeout=300, min_disk=1,
        )
        say(f"uploaded image {IMAGE_NAME} ({img.id}, {os.path.getsize(path) >> 20} MiB raw) to the RBD store")

    def resources(self):
        t = time.time()
        self.flavors()
        self.volume_types()
        self.wait_backend_pools(int(os.environ.get("BF_WAIT", "180")))
        self.image()
        say(f"demo resources ready in {time.time() - t:.1f}s (flavors, volume types, image; "
            f"cinder backends {', '.join(BACKEND_POOLS)} scheduled)")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("identity", "resources"):
        print(__doc__, file=sys.stderr)
        return 64
    s = Setup(sys.argv[2])
    getattr(s, sys.argv[1])()
    return 0


if __name__ == "__main__":
    sys.exit(main())
