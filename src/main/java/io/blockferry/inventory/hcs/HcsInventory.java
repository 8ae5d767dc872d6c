package io.blockferry.inventory.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.events.EventSink;
import io.blockferry.inventory.CloudPoller;
import io.blockferry.inventory.DiskMapper;
import io.blockferry.inventory.Inventory;
import io.blockferry.inventory.InventoryService;
import io.blockferry.inventory.InventoryStore;
import io.blockferry.inventory.SkipRules;
import io.blockferry.source.ChainHints;
import io.blockferry.source.hcs.HcsBlockSource;
import io.blockferry.source.hcs.HcsException;
import io.blockferry.source.hcs.HcsSettings;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The inventory of one HCS backend: the servers of its project with their disks, each disk mapped
 * to the volume id the HCS source syncs once its LUN is checked on the array. The route fetches
 * the listings ({@link HcsInventoryPoll}); this class checks the LUNs and hands the result to an
 * {@link InventoryService}, which keeps the last good inventory, publishes the changes and skips,
 * and builds the restore metadata in the same shape as OpenStack's.
 */
public final class HcsInventory {

    /** Items per page of the ECS and EVS listings. */
    static final int PAGE_SIZE = 100;

    private final HcsBlockSource source;
    private final HcsSettings settings;
    private final HcsDiskLocator locator;
    private final HcsInventoryReader reader;
    private final InventoryService service;
    private final AtomicReference<CloudPoller.Result> fetched = new AtomicReference<>();
    /** The WWN each disk's LUN was last checked with: a disk is checked again only when it changes. */
    private final Map<String, String> checkedWwn = new HashMap<>();
    private final Clock clock;

    public HcsInventory(HcsBlockSource source, InventoryStore store, ChainHints hints, EventSink events, Clock clock) {
        this.source = source;
        this.settings = source.settings();
        this.clock = clock;
        this.locator = new HcsDiskLocator(settings.name(), settings.projectId());
        this.reader = new HcsInventoryReader(settings.proxyServerId(), source::temporary);
        this.service = new InventoryService("HCS backend " + settings.name(), true, previous -> fetched.getAndSet(null),
                store, new DiskMapper(locator, new SkipRules()), hints, false, events);
        // The stored inventory's disks were checked when it was polled.
        service.current().volumes().forEach(v -> locator.checked(v.id(), null));
    }

    public String backend() {
        return settings.name();
    }

    public InventoryService service() {
        return service;
    }

    /** The name the TLS settings of this backend's camel-http endpoint are bound under, if it has a CA. */
    public String tlsBean() {
        return "hcsTls-" + settings.name();
    }

    /** The backend's own CA, or null when the JVM's CAs are trusted. */
    public javax.net.ssl.X509TrustManager trustManager() {
        return source.trustManager();
    }

    /**
     * The camel-http endpoint this backend's requests go through. It only holds the client and its
     * settings: each request's URL is set per request (the CamelHttpUri header).
     */
    String endpoint() {
        long ms = settings.requestTimeout().toMillis();
        return settings.ecsUrl().getScheme() + "://hcs-inventory-" + settings.name() + "?throwExceptionOnFailure=false"
                + "&connectTimeout=" + ms + "&responseTimeout=" + ms
                + (trustManager() == null ? "" : "&sslContextParameters=#" + tlsBean());
    }

    HcsInventoryPoll start() {
        return new HcsInventoryPoll(settings.name(), settings.ecsUrl(), settings.evsUrl(), settings.projectId(),
                PAGE_SIZE);
    }

    String token() {
        return source.authToken();
    }

    void refused(String token) {
        source.tokenRefused(token);
    }

    /**
     * Checks the LUNs of the disks new or changed since the last poll, then renews the inventory.
     *
     * @return the ids of the servers whose restore metadata changed
     */
    synchronized List<String> finish(HcsInventoryPoll poll) {
        Inventory inventory = reader.read(poll, clock.instant());
        Set<String> attached = new HashSet<>();
        inventory.servers().forEach(s -> s.volumes().forEach(v -> attached.add(v.volumeId())));
        for (JsonNode disk : poll.volumes()) {
            String id = disk.path("id").asText();
            String wwn = disk.path("metadata").path("lun_wwn").asText("");
            if (!attached.contains(id) || source.temporary(disk) || wwn.equals(checkedWwn.get(id))) {
                continue;
            }
            try {
                source.checkLun(disk);
                locator.checked(id, null);
                checkedWwn.put(id, wwn);
            } catch (HcsException e) {
                locator.checked(id, e.getMessage());
                checkedWwn.remove(id);
            }
        }
        locator.forgetAllBut(attached);
        checkedWwn.keySet().retainAll(attached);
        fetched.set(new CloudPoller.Result(inventory, List.of()));
        return service.poll();
    }

    void failed(String message) {
        service.pollFailed(message);
    }
}
