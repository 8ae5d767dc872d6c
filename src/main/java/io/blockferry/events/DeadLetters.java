package io.blockferry.events;

import java.util.Map;

/** Reports each record sent to the dead-letter topic as a {@code dead-letter} event. */
public final class DeadLetters {

    private final EventSink events;

    public DeadLetters(EventSink events) {
        this.events = events;
    }

    /** @param volumeId the record's key, when it had one */
    public void published(String volumeId, String error, String cause) {
        events.publish(Event.of(EventTypes.DEAD_LETTER, volumeId, error, Event.ERROR,
                "a record was moved to the dead-letter topic: " + cause, Map.of()));
    }
}
