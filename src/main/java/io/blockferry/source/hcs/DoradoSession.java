package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.events.Causes;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deviceManager session on the Dorado array (spec §2.1): log in on a placeholder device id, then
 * send the array's device id in the path with the {@code iBaseToken} header and the session cookie.
 * Errors come as HTTP 200 with {@code error.code}; {@code -401}, {@code -403} and
 * {@code 4294967297} mean the session is gone, so it logs in again and tries once more (as
 * Huawei's Cinder driver does). Neither the password nor the token is ever logged.
 */
final class DoradoSession {

    private static final Logger LOG = LoggerFactory.getLogger(DoradoSession.class);
    private static final Set<Long> RELOGIN = Set.of(-401L, -403L, 4294967297L);

    private final HcsHttp http;
    private final HcsSettings settings;
    private Login login;
    private int logins;

    private record Login(String deviceId, Map<String, String> headers) {
    }

    DoradoSession(HcsHttp http, HcsSettings settings) {
        this.http = http;
        this.settings = settings;
    }

    /** The array's serial number (its device id), logging in if needed. */
    String deviceId() {
        return session().deviceId();
    }

    /** {@code GET {deviceid}/{path}}: the answer's {@code data}, or the error as {@link DoradoException}. */
    JsonNode get(String path, String what) {
        return call("GET", path, null, what);
    }

    JsonNode post(String path, JsonNode body, String what) {
        return call("POST", path, body, what);
    }

    synchronized int logins() {
        return logins;
    }

    private JsonNode call(String method, String path, JsonNode body, String what) {
        Login used = session();
        JsonNode answer = send(used, method, path, body);
        long code = code(answer);
        if (RELOGIN.contains(code)) {
            LOG.info("HCS backend {}: the Dorado session is no longer valid ({}), logging in again", settings.name(),
                    code);
            forget(used);
            answer = send(session(), method, path, body);
            code = code(answer);
        }
        if (code == 0) {
            return answer.path("data");
        }
        String description = answer.path("error").path("description").asText("");
        if (code == DoradoException.BUSY) {
            throw new HcsUnavailableException(what + ": the Dorado array is busy (" + code + ")");
        }
        throw new DoradoException(what + ": the Dorado array answered " + code
                + (description.isEmpty() ? "" : " (" + description + ")"), code);
    }

    private JsonNode send(Login session, String method, String path, JsonNode body) {
        URI uri = URI.create(settings.doradoUrl() + "/" + session.deviceId() + "/" + path);
        HcsHttp.Reply reply = http.send(method, uri, session.headers(), body);
        if (reply.status() != 200) {
            throw new HcsUnavailableException(method + " " + HcsHttp.where(uri) + " answered HTTP " + reply.status()
                    + ": check blockferry.backends." + settings.name() + ".dorado-url");
        }
        return reply.body();
    }

    private static long code(JsonNode answer) {
        return answer.path("error").path("code").asLong(-1);
    }

    private synchronized Login session() {
        if (login == null) {
            login = login();
            logins++;
        }
        return login;
    }

    private synchronized void forget(Login used) {
        if (login == used) {
            login = null;
        }
    }

    private Login login() {
        ObjectNode body = HcsHttp.JSON.createObjectNode();
        body.put("username", settings.doradoUser());
        body.put("password", settings.doradoPassword().reveal());
        body.put("scope", "0");
        URI uri = URI.create(settings.doradoUrl() + "/xx/sessions");
        HcsHttp.Reply reply = http.send("POST", uri, Map.of(), body);
        String key = "blockferry.backends." + settings.name() + ".";
        long code = code(reply.body());
        if (reply.status() != 200 || code != 0) {
            if (reply.status() >= 500 || code == DoradoException.BUSY) {
                throw new HcsUnavailableException("the Dorado login at " + HcsHttp.where(uri) + " answered "
                        + reply.status() + "/" + code);
            }
            throw new HcsException("the Dorado array at " + HcsHttp.where(uri) + " refused user "
                    + settings.doradoUser() + " (HTTP " + reply.status() + ", code " + code + "): check " + key
                    + "dorado-user, the password (" + key + "dorado-password-file or " + key + "dorado-password) and "
                    + key + "dorado-url (it ends in /deviceManager/rest)", Causes.HCS_PERMISSION_DENIED,
                    Long.toString(code));
        }
        JsonNode data = reply.body().path("data");
        int state = data.path("accountstate").asInt(2);
        if (state == 3 || state == 4) {
            throw new HcsException("the Dorado user " + settings.doradoUser() + " must change its password first "
                    + "(accountstate " + state + "): do so on the array, then update " + key + "dorado-password-file",
                    Causes.HCS_PERMISSION_DENIED);
        }
        String setCookie = reply.header("Set-Cookie");
        String token = data.path("iBaseToken").asText("");
        String deviceId = data.path("deviceid").asText("");
        if (setCookie == null || token.isEmpty() || deviceId.isEmpty()) {
            throw new HcsException("the Dorado login at " + HcsHttp.where(uri) + " gave no session (cookie, "
                    + "iBaseToken or deviceid missing)", Causes.HCS_ERROR);
        }
        // the cookie goes back as its first name=value pair, without its attributes
        int semicolon = setCookie.indexOf(';');
        String cookie = semicolon < 0 ? setCookie : setCookie.substring(0, semicolon);
        return new Login(deviceId, Map.of("iBaseToken", token, "Cookie", cookie));
    }
}
