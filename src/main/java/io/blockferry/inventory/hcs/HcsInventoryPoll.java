package io.blockferry.inventory.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.events.Causes;
import io.blockferry.source.hcs.HcsException;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One poll of one HCS project's inventory through the APIG, as a sequence of GET requests the
 * hcs-inventory-poll route makes with camel-http: the servers with detail, the disks with detail,
 * the flavors and the disk types (spec §1.4, §1.5), page by page. This class only says which URL
 * comes next and collects the answers; it makes no call itself.
 */
public final class HcsInventoryPoll {

    /** The listings of a poll, in the order they are fetched. */
    enum Listing {
        // ECS counts offset in pages from 1 (spec §1.4), EVS in items from 0 (§1.5).
        SERVERS("servers", true, true),
        VOLUMES("volumes", false, true),
        FLAVORS("flavors", true, false),
        TYPES("volume_types", false, false);

        final String field;
        final boolean ecs;
        final boolean paged;

        Listing(String field, boolean ecs, boolean paged) {
            this.field = field;
            this.ecs = ecs;
            this.paged = paged;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Requests answered 401 in a row before the poll gives up: one relogin, then a real refusal. */
    private static final int MAX_REFUSALS = 2;

    private final String backend;
    private final URI ecsUrl;
    private final URI evsUrl;
    private final String projectId;
    private final int pageSize;
    private final Map<Listing, List<JsonNode>> found = new EnumMap<>(Listing.class);
    private Listing listing = Listing.SERVERS;
    private int page;
    private int refusals;
    private int requests;
    /** The IAM token of the last request, to forget it when refused: a secret, never logged. */
    private String lastToken;

    HcsInventoryPoll(String backend, URI ecsUrl, URI evsUrl, String projectId, int pageSize) {
        this.backend = backend;
        this.ecsUrl = ecsUrl;
        this.evsUrl = evsUrl;
        this.projectId = projectId;
        this.pageSize = pageSize;
        for (Listing l : Listing.values()) {
            found.put(l, new ArrayList<>());
        }
    }

    public String backend() {
        return backend;
    }

    /** Whether a request is still to be made. */
    public boolean hasNext() {
        return listing != null;
    }

    /** The URL of the next GET (no secret: the token goes in a header). */
    public String nextUrl() {
        if (listing == null) {
            throw new IllegalStateException("the poll of " + backend + " is complete");
        }
        String base = (listing.ecs ? ecsUrl : evsUrl).toString().replaceAll("/+$", "");
        String path = switch (listing) {
            case SERVERS -> "/v1/" + projectId + "/cloudservers/detail?limit=" + pageSize + "&offset=" + (page + 1);
            case VOLUMES -> "/v2/" + projectId + "/cloudvolumes/detail?limit=" + pageSize + "&offset=" + page * pageSize;
            case FLAVORS -> "/v1/" + projectId + "/cloudservers/flavors";
            case TYPES -> "/v2/" + projectId + "/types";
        };
        return base + path;
    }

    /**
     * Takes the answer to {@link #nextUrl()}.
     *
     * @return true when the APIG refused the token (401) and the same request is to be made again
     *         with a new one
     * @throws HcsException naming the listing, the status and HCS's error code for any other failure
     */
    public boolean accept(int status, String body) {
        requests++;
        if (status == 401) {
            if (++refusals >= MAX_REFUSALS) {
                throw new HcsException(what() + " was refused with a fresh IAM token (HTTP 401): check the user's "
                        + "permissions for ECS and EVS in project " + projectId, Causes.HCS_PERMISSION_DENIED);
            }
            return true;
        }
        refusals = 0;
        JsonNode answer = parse(body);
        if (status / 100 != 2) {
            throw new HcsException(what() + " answered HTTP " + status + errorOf(answer) + "; the last good "
                    + "inventory is kept and the poll is tried again at the next interval",
                    status >= 500 || status == 429 ? Causes.POLL_FAILED : Causes.HCS_ERROR);
        }
        JsonNode items = answer.path(listing.field);
        if (!items.isArray()) {
            throw new HcsException(what() + " answered without a '" + listing.field + "' list: is "
                    + (listing.ecs ? "ecs-url" : "evs-url") + " of backend " + backend + " the APIG of that service?",
                    Causes.HCS_ERROR);
        }
        items.forEach(found.get(listing)::add);
        if (listing.paged && items.size() >= pageSize) {
            page++;
        } else {
            Listing[] all = Listing.values();
            listing = listing.ordinal() + 1 < all.length ? all[listing.ordinal() + 1] : null;
            page = 0;
        }
        return false;
    }

    void sentWith(String token) {
        lastToken = token;
    }

    String lastToken() {
        return lastToken;
    }

    /** How many answers the poll took (pages and retries). */
    public int requests() {
        return requests;
    }

    List<JsonNode> servers() {
        return found.get(Listing.SERVERS);
    }

    List<JsonNode> volumes() {
        return found.get(Listing.VOLUMES);
    }

    List<JsonNode> flavors() {
        return found.get(Listing.FLAVORS);
    }

    List<JsonNode> types() {
        return found.get(Listing.TYPES);
    }

    private String what() {
        return "listing the " + listing.field + " of HCS project " + projectId + " (backend " + backend + ")";
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String errorOf(JsonNode answer) {
        JsonNode error = answer.has("error") ? answer.path("error") : answer;
        String code = error.path("code").asText("");
        String message = error.path("message").asText("");
        return code.isEmpty() && message.isEmpty() ? "" : " (" + code + (message.isEmpty() ? "" : ": " + message) + ")";
    }
}
