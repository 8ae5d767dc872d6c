#!/usr/bin/python3
"""neutron-server (Zed, Debian) for scripts/openstack-dev.sh, with the SQLAlchemy mappers configured
before the API worker forks.

Why: ML2's get_ports() reads models_v2.Port.port_forwardings, a backref that exists only once the
mappers are configured, which happens lazily at the first query. In a server without agents the
API worker's first database access can be GET /v2.0/ports (nova does it on every server delete),
which then fails with "AttributeError: type object 'Port' has no attribute 'port_forwardings'"
(HTTP 500), and keeps failing. Importing every model and configuring the mappers up front fixes
it. Arguments are those of neutron-server.
"""
import sys

from neutron.cmd.eventlet.server import main  # first: eventlet monkey patching
from neutron.db.migration.models import head  # noqa: F401  (imports every model)
from sqlalchemy import orm

orm.configure_mappers()
sys.argv[0] = "neutron-server"
sys.exit(main())
