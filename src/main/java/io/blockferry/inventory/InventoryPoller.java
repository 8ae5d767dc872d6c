package io.blockferry.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what one token can see from Nova, Cinder, Glance and Neutron into an {@link Inventory}:
 * servers, volumes, volume types, flavors, snapshots, images, ports and the user's keypairs.
 * Reads raw JSON because openstack4j's Server drops tags and misreads newer microversions.
 */
public final class InventoryPoller {

    /** Flavors are listed at 2.61, the first microversion that embeds their extra specs. */
    static final String FLAVOR_VERSIONS = "compute 2.61, volume 3.0";

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
        List<Flavor> flavors = InventoryJson.flavors(pages("compute", "/flavors/detail", "flavors", adminListing(),
                FLAVOR_VERSIONS));
        List<VolumeType> types = InventoryJson.volumeTypes(pages("volumev3", "/types", "volume_types", adminListing()));
        List<Volume> volumes = InventoryJson.volumes(pages("volumev3", "/volumes/detail", "volumes", projects()));
        List<Server> servers = InventoryJson.servers(pages("compute", "/servers/detail", "servers", projects()),
                volumes, flavors);
        List<VolumeSnapshot> snapshots = InventoryJson.snapshots(
                pages("volumev3", "/snapshots/detail", "snapshots", projects()));
        InventoryDetails details = new InventoryDetails(List.of(), images(), snapshots, ports(),
                InventoryJson.keypairs(pages("compute", "/os-keypairs", "keypairs", ""), api.session().userId()));
        return new Inventory(polledAt, servers, volumes, types, flavors, details);
    }

    /** Glance pages with a relative "next" link; an admin sees every project's images. */
    private List<Image> images() {
        List<JsonNode> items = new ArrayList<>();
        String next = "/v2/images?limit=500";
        while (next != null) {
            JsonNode page = api.get("image", next);
            items.addAll(InventoryJson.list(page.path("images")));
            next = InventoryJson.text(page, "next");
        }
        return InventoryJson.images(items);
    }

    /** Without a network service in the catalog (a cloud without Neutron) a server simply has no ports. */
    private List<Port> ports() {
        if (!api.hasService("network")) {
            return List.of();
        }
        List<JsonNode> ports = InventoryJson.list(api.get("network", "/v2.0/ports").path("ports"));
        List<JsonNode> networks = InventoryJson.list(api.get("network", "/v2.0/networks").path("networks"));
        return InventoryJson.ports(ports, networks);
    }

    private String projects() {
        return allProjects ? "all_tenants=1" : "";
    }

    // An admin sees private flavors and volume types only when asking for public and private alike.
    private String adminListing() {
        return allProjects ? "is_public=None" : "";
    }

    private List<JsonNode> pages(String service, String path, String field, String query) {
        return pages(service, path, field, query, OpenStackSession.API_VERSIONS);
    }

    /**
     * Every item of a paged listing. Nova and Cinder cap a page (1,000 by default) and give a
     * "next" link; only its query is reused, as its host may be an internal name.
     */
    private List<JsonNode> pages(String service, String path, String field, String query, String versions) {
        List<JsonNode> items = new ArrayList<>();
        String next = query;
        while (next != null) {
            JsonNode page = api.send(service, "GET", next.isEmpty() ? path : path + "?" + next, null, versions);
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
