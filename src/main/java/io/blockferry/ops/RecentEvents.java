package io.blockferry.ops;

import io.blockferry.events.Event;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * The last events this process published, newest first, for the status page and
 * {@code blockferry events}; filled by the event-publish route. Kafka's events topic keeps the
 * full record; this ring only spares the page a Kafka consumer.
 */
public final class RecentEvents {

    private final int capacity;
    private final Deque<Event> events = new ArrayDeque<>();

    public RecentEvents(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the recent events need room for at least one, got " + capacity);
        }
        this.capacity = capacity;
    }

    public synchronized void add(Event event) {
        events.addFirst(event);
        while (events.size() > capacity) {
            events.removeLast();
        }
    }

    /**
     * @param limit  the most to return (null: all kept)
     * @param volume only this volume's events (null or blank: every event)
     */
    public synchronized List<Event> recent(Integer limit, String volume) {
        if (limit != null && limit < 1) {
            throw new ApiException(400, "limit " + limit + " is not a positive number of events");
        }
        int most = limit == null ? capacity : limit;
        List<Event> out = new ArrayList<>();
        for (Iterator<Event> it = events.iterator(); it.hasNext() && out.size() < most; ) {
            Event e = it.next();
            if (volume == null || volume.isBlank() || volume.equals(e.volumeId())) {
                out.add(e);
            }
        }
        return out;
    }
}
