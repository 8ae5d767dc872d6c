package io.blockferry.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads servers, volumes, volume types and flavors from Nova and Cinder into an {@link Inventory}.
 * Reads raw JSON because openstack4j's Server drops tags and misreads newer microversions.
 */
public final class InventoryPoller {

    private final OpenStackApi api;
    private final boolean allProjects;
    private final Clock clock;

    /**
     * @param allProjects list every project's servers and volumes (all_tenants); needs the admin role,
     *                    else only the token's project is listed
     */
    public InventoryPoller(OpenStackApi api, boolean allProjects, Clock clock) {
        this.api = api;
        this.allProjects = allProjects;
        this.clock = clock;
    }

    public Inventory poll() {
        var polledAt = clock.instant();
        List<Flavor> flavors = InventoryJson.flavors(pages("compute", "/flavors/detail", "flavors", adminListing()));
        List<VolumeType> types = InventoryJson.volumeTypes(pages("volumev3", "/types", "volume_types", adminListing()));
        List<Volume> volumes = InventoryJson.volumes(pages("volumev3", "/volumes/detail", "volumes", projects()));
        List<Server> servers = InventoryJson.servers(pages("compute", "/servers/detail", "servers", projects()),
                volumes, flavors);
        return new Inventory(polledAt, servers, volumes, types, flavors);
    }

    private String projects() {
        return allProjects ? "all_tenants=1" : "";
    }

    // An admin sees private flavors and volume types only when asking for public and private alike.
    private String adminListing() {
        return allProjects ? "is_public=None" : "";
    }

    /**
     * Every item of a paged listing. Nova and Cinder cap a page (1,000 by default) and give a
     * "next" link; only its query is reused, as its host may be an internal name.
     */
    private List<JsonNode> pages(String service, String path, String field, String query) {
        List<JsonNode> items = new ArrayList<>();
        String next = query;
        while (next != null) {
            JsonNode page = api.get(service, next.isEmpty() ? path : path + "?" + next);
            items.addAll(InventoryJson.list(page.path(field)));
            next = nextQuery(page.path(field + "_links"));
        }
        return items;
    }

    private static String nextQuery(JsonNode links) {
        for (JsonNode link : links) {
            if ("next".equals(InventoryJson.text(link, "rel"))) {
                String href = InventoryJson.text(link, "href");
                return href == null ? null : URI.create(href).getRawQuery();
            }
        }
        return null;
    }
}
