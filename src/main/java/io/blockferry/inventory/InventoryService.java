package io.blockferry.inventory;

import io.blockferry.events.EventSink;
import io.blockferry.source.ChainHints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source's view of OpenStack: the last good inventory and its disk mapping, renewed by the
 * inventory-poll route. A failed poll changes nothing (the error goes up so the route backs off);
 * a good one is persisted first, then compared with the previous one for events, chain-break
 * hints and changed server metadata.
 */
public final class InventoryService {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryService.class);

    /** What one poll of OpenStack gives; {@link CloudPoller} in production. */
    @FunctionalInterface
    public interface Source {
        CloudPoller.Result poll(Inventory previous);
    }

    /** The poller's health: consecutive failures and the last error (never a secret). */
    public record Status(boolean enabled, long polledAtMillis, int servers, int volumes, int consecutiveFailures,
                         String lastError) {
    }

    private final String cloud;
    private final boolean enabled;
    private final Source source;
    private final InventoryStore store;
    private final DiskMapper mapper;
    private final ChainHintRouter hints;
    private final InventoryEvents events;
    private final ServerMetadataBuilder metadata;
    private final Map<String, ServerMetadata> published = new HashMap<>();
    private volatile Inventory current;
    private volatile DiskMapping mapping;
    private int failures;
    private String lastError;

    public InventoryService(boolean enabled, Source source, InventoryStore store, DiskMapper mapper,
                            ChainHints chainHints, boolean resyncOnMigration, EventSink events) {
        this("OpenStack", enabled, source, store, mapper, chainHints, resyncOnMigration, events);
    }

    /** @param cloud the cloud's name in logs, events and errors (OpenStack, or an HCS backend) */
    public InventoryService(String cloud, boolean enabled, Source source, InventoryStore store, DiskMapper mapper,
                            ChainHints chainHints, boolean resyncOnMigration, EventSink events) {
        this.cloud = cloud;
        this.enabled = enabled;
        this.source = source;
        this.store = store;
        this.mapper = mapper;
        this.hints = new ChainHintRouter(chainHints, mapper, resyncOnMigration);
        this.events = new InventoryEvents(events, cloud);
        this.metadata = new ServerMetadataBuilder(mapper);
        this.current = enabled ? store.load().orElse(Inventory.empty()) : Inventory.empty();
        this.mapping = mapper.map(current);
        if (enabled && !current.servers().isEmpty()) {
            LOG.info("Loaded the stored {} inventory: {}", cloud, current);
        }
    }

    /** The last good inventory (the stored one until the first poll answers; empty if never polled). */
    public Inventory current() {
        return current;
    }

    /** The disks of the last good inventory, and what is skipped. */
    public DiskMapping mapping() {
        return mapping;
    }

    public synchronized Status status() {
        return new Status(enabled, current.polledAt().toEpochMilli(), current.servers().size(),
                current.volumes().size(), failures, lastError);
    }

    /**
     * Polls OpenStack once.
     *
     * @return the ids of the servers whose restore metadata changed since it was last published
     * @throws OpenStackException when OpenStack could not be polled; the last good inventory stays
     */
    public synchronized List<String> poll() {
        if (!enabled) {
            throw new IllegalStateException("the OpenStack inventory is disabled: set blockferry.openstack.enabled=true");
        }
        CloudPoller.Result result;
        try {
            result = source.poll(current);
        } catch (OpenStackException e) {
            pollFailed(e.getMessage());
            throw e;
        }
        Inventory before = current;
        Inventory next = result.inventory();
        DiskMapping nextMapping = mapper.map(next);
        store.save(next);
        for (InventoryChange change : InventoryChanges.between(before, next)) {
            Set<String> hinted = hints.route(change, before, next);
            events.change(change, hinted.size() == 1 ? hinted.iterator().next() : null,
                    ChainHintRouter.consequence(change, hinted));
        }
        events.skips(mapping.skipped(), nextMapping.skipped(), next);
        if (result.failures().isEmpty()) {
            events.pollSucceeded();
            lastError = null;
        } else {
            lastError = String.join("; ", result.failures());
            events.partialFailure(lastError);
        }
        failures = 0;
        current = next;
        mapping = nextMapping;
        LOG.info("{} inventory polled: {}; {} disks mapped, {} skipped", cloud, next,
                nextMapping.disksByServer().values().stream().mapToInt(List::size).sum(), nextMapping.skipped().size());
        return changedMetadata();
    }

    /**
     * A poll that failed (here, or before it reached this service, as the HCS route's requests):
     * counted, and published when the error is new. The last good inventory stays.
     */
    public synchronized void pollFailed(String message) {
        failures++;
        lastError = message;
        events.pollFailed(message, failures);
    }

    /**
     * The restore metadata of a server as the last good inventory sees it.
     *
     * @throws IllegalArgumentException naming the server when the inventory does not have it
     */
    public ServerMetadata metadataOf(String serverId) {
        Inventory inventory = current;
        Server server = inventory.server(serverId).orElseThrow(() -> new IllegalArgumentException("server '" + serverId
                + "' is not in the " + cloud + " inventory polled at " + inventory.polledAt() + ": check the id (the"
                + " server's UUID), or wait for the next poll if it was created just now"));
        return metadata.of(server, inventory);
    }

    /** Whether the last good inventory has this server. */
    public boolean knows(String serverId) {
        return current.server(serverId).isPresent();
    }

    /** The cloud's name: OpenStack, or the HCS backend. */
    public String cloud() {
        return cloud;
    }

    /** The server-metadata route published this record: the next poll publishes it only if it changed. */
    public synchronized void metadataPublished(ServerMetadata record) {
        published.put(record.serverId(), record.at(0));
    }

    private List<String> changedMetadata() {
        List<String> changed = new ArrayList<>();
        for (Server server : current.servers()) {
            if (!metadata.of(server, current).at(0).equals(published.get(server.id()))) {
                changed.add(server.id());
            }
        }
        published.keySet().removeIf(id -> current.server(id).isEmpty());
        return changed;
    }
}
