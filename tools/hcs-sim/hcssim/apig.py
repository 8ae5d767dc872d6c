"""The HCS API gateway listener: IAM, ECS and EVS behind one port, with APIG's token check.

Paths may carry a service prefix (/iam, /ecs, /evs): the URLs `hcs-sim.sh env` prints use one
each, so a client that sends an EVS call to its ECS endpoint gets APIG's 404, as it would from two
different hosts in production. Unprefixed paths reach every service (handy with curl).
"""
import hashlib
import re

from . import ecs, evs, iam
from .server import BadRequest, Router, json_response
from .util import ApiError, new_hex32, now, ts_token


def ecs_error(status, code, message):
    return ApiError(status, {"error": {"code": code, "message": message}})


def evs_error(status, code, message):
    return ApiError(status, {"error": {"message": message, "code": code}})


def apig_error(status, code, message):
    return ApiError(status, {"error_code": code, "error_msg": message, "request_id": new_hex32()})


def iam_error(status, title, message):
    return ApiError(status, {"error": {"code": status, "title": title, "message": message}})


def service_error(service, status, code, message):
    if service == "ecs":
        return ecs_error(status, code, message)
    if service == "evs":
        return evs_error(status, code, message)
    return iam_error(status, code or "Error", message)


BAD_BODY_CODE = {"ecs": "Ecs.0005", "evs": "EVS.1052", "iam": "Bad Request"}


def token_key(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Ctx:
    """One request as a handler sees it."""

    def __init__(self, app, req, route, service):
        self.app = app
        self.req = req
        self.route = route
        self.service = service          # the service whose envelope errors use
        self.prefix = None              # the service named in the path, if any
        self.state = app.state
        self.cfg = app.state.cfg
        self.token = None


class ApigApp:
    name = "apig"
    access_log = True

    def __init__(self, state, jobs, scheme, port_getter):
        self.state = state
        self.jobs = jobs
        self.scheme = scheme
        self.port_getter = port_getter
        self.router = Router()
        iam.register(self)
        ecs.register(self)
        evs.register(self)

    def route(self, method, pattern, handler, name, services, auth=True):
        self.router.add(method, pattern, handler, name, services=set(services), auth=auth)

    def base_url(self):
        return "%s://%s:%d" % (self.scheme, self.state.cfg.public_host, self.port_getter())

    def internal_error(self, message):
        return json_response(500, {"error_code": "APIGW.0202", "error_msg": message, "request_id": new_hex32()})

    def _match(self, method, path, prefix):
        known = False
        for r in self.router.routes:
            if prefix is not None and prefix not in r.extra["services"]:
                continue
            m = r.regex.match(path)
            if m:
                if r.method == method:
                    return r, m.groupdict()
                known = True
        return None, known

    def handle(self, req):
        path, prefix = req.path, None
        m = re.match(r"^/(iam|ecs|evs)(/.*)$", path)
        if m:
            prefix, path = m.group(1), m.group(2)
        route, params = self._match(req.method, path, prefix)
        if route is None:
            raise apig_error(404, "APIGW.0101", "The API does not exist or has not been published in the "
                             "environment. (%s %s%s)" % (req.method, req.path,
                                                         "; the path exists for another method" if params else ""))
        service = prefix or sorted(route.extra["services"])[0]
        ctx = Ctx(self, req, route, service)
        ctx.prefix = prefix
        fault = self.state.faults.take("http_error", op=route.name)
        if fault is not None:
            raise self._fault_error(fault, service)
        with self.state.lock:
            if route.extra["auth"]:
                self._authenticate(ctx, params.get("project_id"))
            try:
                result = route.handler(ctx, **params)
            except BadRequest as e:
                raise service_error(service, 400, BAD_BODY_CODE[service], str(e))
        if isinstance(result, tuple):
            status, body = result[0], result[1]
            headers = result[2] if len(result) > 2 else None
            if body is None:
                return json_response(status, b"", headers)
            return json_response(status, body, headers)
        return result

    def _fault_error(self, fault, service):
        status = fault["status"]
        envelope = fault.get("envelope") or ("apig" if status == 429 else "service")
        if envelope == "apig":
            code = fault.get("code") or ("APIGW.0308" if status == 429 else "APIGW.0201")
            msg = fault.get("message") or ("The throttling threshold has been reached: policy user over "
                                           "ratelimit, limit:100, time:1 minute" if status == 429 else
                                           "injected APIG error")
            return apig_error(status, code, msg)
        code = fault.get("code") or {"ecs": "Ecs.0000", "evs": "EVS.2002"}.get(service, "Error")
        return service_error(service, status, code, fault.get("message") or "injected error")

    def _authenticate(self, ctx, project_id):
        tok = ctx.req.header("X-Auth-Token")
        if not tok:
            raise apig_error(401, "APIG.0301", "Incorrect IAM authentication information: x-auth-token not found")
        rec = self.state.d["tokens"].get(token_key(tok))
        if rec is None:
            raise apig_error(401, "APIG.0301", "Incorrect IAM authentication information: decrypt token fail")
        if rec["expires"] <= now():
            if self.state.cfg.apig_401_body == "APIG.0301":
                raise apig_error(401, "APIG.0301", "Incorrect IAM authentication information: token expires, "
                                 "expires_at: %s" % ts_token(rec["expires"]))
            raise apig_error(401, "APIGW.0307", "The token must be updated.")
        if project_id is not None and project_id != rec["project_id"]:
            if ctx.service == "evs":
                raise evs_error(400, "EVS.0001", "invalid tenant id! (the URL names project %s, the token is "
                                "scoped to %s)" % (project_id, rec["project_id"]))
            raise ecs_error(400, "Ecs.0023", "project_id in token mismatches with project_id in url. "
                            "(url %s, token %s)" % (project_id, rec["project_id"]))
        ctx.token = rec
