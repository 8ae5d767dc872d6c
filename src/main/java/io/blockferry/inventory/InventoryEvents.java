package io.blockferry.inventory;

import io.blockferry.events.Causes;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what a poll found into operator events: skips only when new or with a new reason (a
 * suspended server is not reported every poll), cleared skips, changes, and poll failures only
 * when the error is new (the retries of one outage are logged, not published again).
 */
final class InventoryEvents {

    private final EventSink events;
    /** The cloud's name in messages: OpenStack, or the HCS backend. */
    private final String cloud;
    private String lastFailure;

    InventoryEvents(EventSink events, String cloud) {
        this.events = events;
        this.cloud = cloud;
    }

    void skips(List<Skipped> before, List<Skipped> now, Inventory current) {
        Map<String, Skipped> old = byKey(before);
        Map<String, Skipped> fresh = byKey(now);
        fresh.forEach((key, skip) -> {
            Skipped was = old.get(key);
            if (was == null || !was.reason().equals(skip.reason())) {
                events.publish(Event.of(EventTypes.INVENTORY_SKIP, null, skip.reason(), Event.WARN, skip.message(),
                        Map.of()));
            }
        });
        old.forEach((key, skip) -> {
            if (!fresh.containsKey(key) && current.server(skip.serverId()).isPresent()) {
                events.publish(Event.of(EventTypes.INVENTORY_SKIP_CLEARED, null, skip.reason(), Event.INFO,
                        "no longer skipped (" + skip.reason() + "): server " + skip.serverId()
                                + (skip.volumeId() == null ? "" : ", volume " + skip.volumeId()), Map.of()));
            }
        });
    }

    void change(InventoryChange change, String imageSpec, String consequence) {
        events.publish(Event.of(EventTypes.INVENTORY_CHANGE, imageSpec, change.kind(), Event.INFO,
                change.describe() + (consequence == null ? "" : "; " + consequence), Map.of()));
    }

    /** A failed poll; published when its message differs from the previous failure's. */
    void pollFailed(String message, long attempt) {
        if (!message.equals(lastFailure)) {
            events.publish(Event.of(EventTypes.INVENTORY_POLL_FAILED, null, Causes.POLL_FAILED.wire(), Event.ERROR,
                    "polling " + cloud + " failed (attempt " + attempt + "): " + message
                            + "; the last good inventory is kept and the poll is retried with backoff",
                    Map.of("attempt", attempt)));
        }
        lastFailure = message;
    }

    /** One authentication domain failed while the others answered. */
    void partialFailure(String message) {
        if (!message.equals(lastFailure)) {
            events.publish(Event.of(EventTypes.INVENTORY_POLL_FAILED, null, "auth-domain-failed", Event.ERROR,
                    message + "; that domain's part of the last good inventory is kept until it answers", Map.of()));
        }
        lastFailure = message;
    }

    void pollSucceeded() {
        lastFailure = null;
    }

    private static Map<String, Skipped> byKey(List<Skipped> skipped) {
        Map<String, Skipped> map = new LinkedHashMap<>();
        for (Skipped s : skipped) {
            map.put(s.serverId() + "/" + s.volumeId(), s);
        }
        return map;
    }
}
