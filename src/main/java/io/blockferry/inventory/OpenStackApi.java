package io.blockferry.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * JSON requests to OpenStack services with the session's token, for what openstack4j models
 * wrongly or not at all (server tags, microversions it does not know). It renews the token
 * before it expires. Thread-safe.
 */
public final class OpenStackApi {

    /** Renew this long before expiry, so that a long poll never runs into an expired token. */
    private static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(5);
    private static final int ERROR_BODY_CHARS = 300;

    private final OpenStackSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http;
    private OpenStackSession session;

    public OpenStackApi(OpenStackSettings settings) {
        this.settings = settings;
        this.session = OpenStackSession.authenticate(settings);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (session.sslContext() != null) {
            builder.sslContext(session.sslContext());
        }
        this.http = builder.build();
    }

    /** The current session, renewed if its token is about to expire. */
    public synchronized OpenStackSession session() {
        if (Instant.now().plus(RENEW_BEFORE_EXPIRY).isAfter(session.expiresAt())) {
            session = OpenStackSession.authenticate(settings);
        }
        return session;
    }

    /** GET {@code <endpoint of serviceType><path>} and parse the answer. */
    public JsonNode get(String serviceType, String path) {
        return send(serviceType, "GET", path, null, OpenStackSession.API_VERSIONS);
    }

    public JsonNode post(String serviceType, String path, JsonNode body) {
        return send(serviceType, "POST", path, body, OpenStackSession.API_VERSIONS);
    }

    public JsonNode put(String serviceType, String path, JsonNode body) {
        return send(serviceType, "PUT", path, body, OpenStackSession.API_VERSIONS);
    }

    public void delete(String serviceType, String path) {
        send(serviceType, "DELETE", path, null, OpenStackSession.API_VERSIONS);
    }

    /**
     * A request at other microversions than the inventory reads with; for example a server
     * without networks needs compute 2.37. Keep a volume entry in it (see API_VERSIONS).
     */
    public JsonNode send(String serviceType, String method, String path, JsonNode body, String apiVersions) {
        OpenStackSession current = session();
        return sendTo(current, serviceType, method, current.endpoint(serviceType) + path, body, apiVersions);
    }

    /**
     * GET a Keystone v3 path at the auth URL. An unscoped token has no catalog, and the auth URL
     * is the identity endpoint the operator chose anyway.
     */
    public JsonNode identity(String path) {
        OpenStackSession current = session();
        return sendTo(current, "identity", "GET", settings.authUrlWithoutSlash() + path, null,
                OpenStackSession.API_VERSIONS);
    }

    /** Whether the token's catalog has an endpoint of this service type (Neutron may be absent). */
    public boolean hasService(String serviceType) {
        try {
            session().endpoint(serviceType);
            return true;
        } catch (OpenStackException e) {
            return false;
        }
    }

    public OpenStackSettings settings() {
        return settings;
    }

    private JsonNode sendTo(OpenStackSession current, String serviceType, String method, String url, JsonNode body,
                            String apiVersions) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60))
                .header("X-Auth-Token", current.tokenId())
                .header("Accept", "application/json")
                .header("OpenStack-API-Version", apiVersions);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new OpenStackException(serviceType + " at " + url + " did not answer " + method + ": " + e, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OpenStackException(method + " " + url + " was interrupted", 0);
        }
        if (response.statusCode() >= 300) {
            throw new OpenStackException(method + " " + url + " as " + settings.describe() + " answered HTTP "
                    + response.statusCode() + ": " + abbreviate(response.body()), response.statusCode());
        }
        try {
            String text = response.body();
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (IOException e) {
            throw new OpenStackException(method + " " + url + " answered something that is not JSON: "
                    + abbreviate(response.body()), response.statusCode());
        }
    }

    private static String abbreviate(String body) {
        if (body == null) {
            return "";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, ERROR_BODY_CHARS) + "...";
    }
}
