package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.events.Causes;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A project-scoped IAM token (Keystone v3 password login, spec §1.2), fetched when first needed and
 * again whenever the APIG answers 401 (an expired token: {@code APIGW.0307}), then the call is
 * tried once more. The token and the password are never logged.
 */
final class IamSession {

    private static final Logger LOG = LoggerFactory.getLogger(IamSession.class);

    private final HcsHttp http;
    private final HcsSettings settings;
    private String token;
    private int logins;

    IamSession(HcsHttp http, HcsSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    /** A call with the token; on 401 a new token and one more try. */
    HcsHttp.Reply call(String method, URI uri, JsonNode body) {
        String used = token();
        HcsHttp.Reply reply = http.send(method, uri, headers(used), body);
        if (reply.status() == 401) {
            LOG.info("HCS backend {}: the APIG refused the IAM token ({}), logging in again", settings.name(),
                    HcsApi.errorCode(reply.body()));
            forget(used);
            reply = http.send(method, uri, headers(token()), body);
        }
        return reply;
    }

    /** How many times this session logged in (tests of the relogin). */
    synchronized int logins() {
        return logins;
    }

    private static Map<String, String> headers(String token) {
        return Map.of("X-Auth-Token", token, "X-Language", "en-us");
    }

    synchronized String token() {
        if (token == null) {
            token = login();
            logins++;
        }
        return token;
    }

    synchronized void forget(String used) {
        if (Objects.equals(token, used)) {
            token = null;
        }
    }

    private String login() {
        ObjectNode body = HcsHttp.JSON.createObjectNode();
        ObjectNode auth = body.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", settings.user()).put("password", settings.password().reveal());
        user.putObject("domain").put("name", settings.domain());
        auth.putObject("scope").putObject("project").put("id", settings.projectId());
        URI uri = URI.create(settings.iamUrl() + "/v3/auth/tokens");
        HcsHttp.Reply reply = http.send("POST", uri, Map.of(), body);
        String key = "blockferry.backends." + settings.name() + ".";
        if (reply.status() == 401 || reply.status() == 403) {
            throw new HcsException("IAM at " + HcsHttp.where(uri) + " refused user " + settings.user() + " of domain "
                    + settings.domain() + " for project " + settings.projectId() + " (" + reply.status() + "): check "
                    + key + "user, " + key + "domain, " + key + "project-id and the password (" + key
                    + "password-file or " + key + "password)", Causes.HCS_PERMISSION_DENIED);
        }
        if (reply.status() >= 500 || reply.status() == 429) {
            throw new HcsUnavailableException("IAM at " + HcsHttp.where(uri) + " answered " + reply.status());
        }
        String token = reply.header("X-Subject-Token");
        if (!reply.ok() || token == null) {
            throw new HcsException("IAM at " + HcsHttp.where(uri) + " answered " + reply.status() + " without a token "
                    + "(" + HcsApi.errorCode(reply.body()) + "): check " + key + "iam-url (it ends before /v3)",
                    Causes.HCS_ERROR);
        }
        return token;
    }
}
