package io.blockferry.events;

import java.util.Map;

/** Reports each record sent to the dead-letter topic as a {@code dead-letter} event. */
public final class DeadLetters {

    private final EventSink events;

    public DeadLetters(EventSink events) {
        this.events = events;
    }

    /**
     * @param volumeId the record's key, when it had one
     * @param cause    the failure's name from the closed list ({@link #causeOf})
     * @param message  what was wrong with the record
     */
    public void published(String volumeId, String cause, String message) {
        events.publish(Event.of(EventTypes.DEAD_LETTER, volumeId, cause, Event.ERROR,
                "a record was moved to the dead-letter topic: " + message, Map.of()));
    }

    /** The dead letter's {@code blockferry-cause} header: the failure's name from the closed list. */
    public String causeOf(Throwable failure) {
        return Causes.of(failure);
    }
}
