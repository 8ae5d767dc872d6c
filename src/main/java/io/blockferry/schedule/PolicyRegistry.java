package io.blockferry.schedule;

import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.source.SyncOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policies in force. A reload that finds errors is rejected whole: the message names the line
 * and the key, a policies-rejected event is published, and the previous policies stay active.
 */
public final class PolicyRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyRegistry.class);

    private final Path file;
    private final boolean serversAvailable;
    private final EventSink events;
    private final List<Consumer<List<Policy>>> listeners = new ArrayList<>();
    private volatile List<Policy> policies = List.of();
    private volatile String lastError;
    private String loadedVersion;

    /** @param serversAvailable whether an inventory can resolve server selections */
    public PolicyRegistry(Path file, boolean serversAvailable, EventSink events) {
        this.file = file;
        this.serversAvailable = serversAvailable;
        this.events = events;
    }

    /** Called with the new policies after every successful (re)load. */
    public synchronized void onChange(Consumer<List<Policy>> listener) {
        listeners.add(listener);
    }

    /** Loads the file now; throws {@link PolicyFileException} (and keeps the old policies) if it is wrong. */
    public synchronized List<Policy> reload() {
        try {
            return load();
        } catch (PolicyFileException e) {
            events.publish(Event.of(EventTypes.POLICIES_REJECTED, null, "policy-file", Event.ERROR, e.getMessage()
                    + "; the previous " + policies.size() + " policies stay active", Map.of()));
            throw e;
        }
    }

    /** Loads the file without publishing: at start, when a broken file stops the process. */
    public synchronized List<Policy> load() {
        String version = version();
        try {
            List<Policy> loaded = PolicyFile.read(file);
            checkServerSelections(loaded);
            policies = loaded;
            lastError = null;
            loadedVersion = version;
            LOG.info("Policies loaded from {}: {}", file, loaded.stream().map(Policy::name).toList());
            listeners.forEach(l -> l.accept(loaded));
            return loaded;
        } catch (PolicyFileException e) {
            loadedVersion = version;
            lastError = e.getMessage();
            throw e;
        }
    }

    /** Reloads when the file changed since the last attempt; errors are published, not thrown. */
    public synchronized void reloadIfChanged() {
        if (!version().equals(loadedVersion)) {
            try {
                reload();
            } catch (PolicyFileException e) {
                LOG.debug("Rejected policy file kept out", e);
            }
        }
    }

    public List<Policy> all() {
        return policies;
    }

    public Optional<Policy> find(String name) {
        return policies.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The options a policy gives its syncs now, or the defaults if it is gone. */
    public SyncOptions optionsOf(String name) {
        return find(name).map(Policy::options).orElse(SyncOptions.DEFAULTS);
    }

    /** The error of the last rejected reload, or null if the last reload succeeded. */
    public String lastError() {
        return lastError;
    }

    public Path file() {
        return file;
    }

    private void checkServerSelections(List<Policy> loaded) {
        if (serversAvailable) {
            return;
        }
        for (Policy p : loaded) {
            if (p.selection().selectsServers()) {
                throw new PolicyFileException(file + ": policy '" + p.name() + "' selects servers, but the OpenStack "
                        + "inventory is off: set blockferry.openstack.enabled=true, or select volumes by pool/image");
            }
        }
    }

    private String version() {
        try {
            return Files.exists(file) ? Files.getLastModifiedTime(file).toMillis() + ":" + Files.size(file) : "absent";
        } catch (IOException e) {
            return "unreadable:" + e.getMessage();
        }
    }
}
