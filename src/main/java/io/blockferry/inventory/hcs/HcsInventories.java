package io.blockferry.inventory.hcs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hcs-inventory-poll route's bean: the inventories of every HCS backend with its inventory on.
 * A poll of one backend is started, fed the answers of its GET requests, and finished; a failure
 * of one backend is published and never stops the others.
 */
public final class HcsInventories {

    private static final Logger LOG = LoggerFactory.getLogger(HcsInventories.class);

    private final Map<String, HcsInventory> byBackend = new LinkedHashMap<>();

    public HcsInventories(List<HcsInventory> inventories) {
        inventories.forEach(i -> byBackend.put(i.backend(), i));
    }

    public List<String> backends() {
        return List.copyOf(byBackend.keySet());
    }

    public List<HcsInventory> all() {
        return List.copyOf(byBackend.values());
    }

    public HcsInventoryPoll start(String backend) {
        return inventory(backend).start();
    }

    /**
     * The poll's next GET: its URL, the camel-http endpoint it goes through (which holds the
     * client and its TLS and timeouts; the URL itself goes in the CamelHttpUri header) and the IAM
     * token for its X-Auth-Token header.
     */
    public record Request(String url, String endpoint, String token) {
        @Override
        public String toString() {
            return "Request[" + url + "]"; // never the token
        }
    }

    public Request request(HcsInventoryPoll poll) {
        HcsInventory inventory = inventory(poll.backend());
        String token = inventory.token();
        poll.sentWith(token);
        return new Request(poll.nextUrl(), inventory.endpoint(), token);
    }

    /** Takes one answer; a 401 forgets the token, so the same request goes again after a new login. */
    public void accept(HcsInventoryPoll poll, Integer status, String body) {
        if (poll.accept(status == null ? 0 : status, body)) {
            LOG.info("HCS backend {}: the APIG refused the IAM token during the inventory poll, logging in again",
                    poll.backend());
            if (poll.lastToken() != null) {
                inventory(poll.backend()).refused(poll.lastToken());
            }
        }
    }

    /** @return the ids of the servers whose restore metadata changed */
    public List<String> finish(HcsInventoryPoll poll) {
        return inventory(poll.backend()).finish(poll);
    }

    /** A poll of a backend failed: counted and published; the last good inventory stays. */
    public void failed(String backend, Exception cause) {
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        LOG.warn("HCS backend {}: the inventory poll failed and is tried again at the next interval: {}", backend,
                message);
        inventory(backend).failed(message);
    }

    private HcsInventory inventory(String backend) {
        HcsInventory i = byBackend.get(backend);
        if (i == null) {
            throw new IllegalArgumentException("no HCS backend named '" + backend + "' has an inventory");
        }
        return i;
    }
}
