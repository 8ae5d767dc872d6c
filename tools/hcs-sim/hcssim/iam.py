"""IAM: POST /v3/auth/tokens (Keystone v3 password method, project-scoped), endpoint 1 of §4.1."""
import hmac
import secrets

from . import apig
from .util import now, ts_token

_MAX_TOKENS = 5000


def register(app):
    app.route("POST", r"/v3/auth/tokens", issue_token, "iam.token", ["iam"], auth=False)


def _bad(message):
    return apig.iam_error(400, "Bad Request", message)


def _get(obj, path):
    """obj['a']['b']... or None, so a missing level gives one clear message."""
    for key in path.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def issue_token(ctx):
    body = ctx.req.json()
    st, cfg = ctx.state, ctx.cfg
    if not isinstance(body.get("auth"), dict):
        raise _bad("the body must be {\"auth\": {\"identity\": ..., \"scope\": ...}}")
    methods = _get(body, "auth.identity.methods")
    if not isinstance(methods, list) or "password" not in methods:
        raise _bad("auth.identity.methods must contain \"password\" (the only method simulated)")
    user = _get(body, "auth.identity.password.user")
    if not isinstance(user, dict):
        raise _bad("auth.identity.password.user is missing")
    name, password = user.get("name"), user.get("password")
    domain = _get(user, "domain.name")
    if not isinstance(name, str) or not isinstance(password, str):
        raise _bad("auth.identity.password.user needs a name and a password (strings)")
    if not isinstance(domain, str):
        raise _bad("auth.identity.password.user.domain.name is missing")
    project = _get(body, "auth.scope.project")
    if not isinstance(project, dict) or not (project.get("id") or project.get("name")):
        raise _bad("auth.scope.project.id or .name is required: only project-scoped tokens are simulated")
    ok = (hmac.compare_digest(name.encode(), cfg.iam_user.encode())
          and hmac.compare_digest(password.encode(), ctx.app.iam_password.encode())
          and domain == cfg.iam_domain)
    if not ok:
        raise apig.iam_error(401, "Unauthorized", "The username or password is wrong.")
    proj = None
    for p in st.d["projects"].values():
        if project.get("id") == p["id"] or (not project.get("id") and project.get("name") == p["name"]):
            proj = p
    if proj is None:
        raise apig.iam_error(401, "Unauthorized", "project %s does not exist or the user has no role in it"
                             % (project.get("id") or project.get("name")))
    token = "MIIS" + secrets.token_urlsafe(240)
    t = now()
    rec = {"key": apig.token_key(token), "project_id": proj["id"], "issued": t,
           "expires": t + cfg.token_ttl_seconds}
    tokens = st.d["tokens"]
    for k in [k for k, r in tokens.items() if r["expires"] < t - 86400]:
        del tokens[k]
    if len(tokens) >= _MAX_TOKENS:
        for k in sorted(tokens, key=lambda k: tokens[k]["issued"])[:len(tokens) - _MAX_TOKENS + 1]:
            del tokens[k]
    tokens[rec["key"]] = rec
    st.mark_dirty()
    return 201, {"token": token_body(ctx, proj, rec)}, [("X-Subject-Token", token)]


def token_body(ctx, proj, rec):
    st, cfg = ctx.state, ctx.cfg
    base = ctx.app.base_url()
    region = cfg.region
    pid = proj["id"]
    ident = st.identity
    domain = {"name": proj["domain_name"], "id": proj["domain_id"]}
    return {
        "expires_at": ts_token(rec["expires"]),
        "issued_at": ts_token(rec["issued"]),
        "methods": ["password"],
        "catalog": [
            {"type": "volume", "name": "evs", "id": "evs-" + region, "endpoints": [
                {"interface": "public", "region": region, "region_id": region, "id": "evs-public",
                 "url": "%s/evs/v2/%s" % (base, pid)}]},
            {"type": "compute", "name": "ecs", "id": "ecs-" + region, "endpoints": [
                {"interface": "public", "region": region, "region_id": region, "id": "ecs-public",
                 "url": "%s/ecs/v2/%s" % (base, pid)}]},
            {"type": "iam", "name": "iam", "id": "iam-" + region, "endpoints": [
                {"interface": "internal", "region": region, "region_id": region, "id": "iam-internal",
                 "url": "%s/iam" % base},
                {"interface": "public", "region": region, "region_id": region, "id": "iam-public",
                 "url": "%s/iam" % base}]},
        ],
        "roles": [{"name": "vdc_adm", "id": "0" * 31 + "1"}, {"name": "tag_adm", "id": "0" * 31 + "2"}],
        "project": {"domain": domain, "name": proj["name"], "id": pid},
        "user": {"domain": domain, "name": cfg.iam_user, "id": ident["user_id"],
                 "password_expires_at": ""},
    }
