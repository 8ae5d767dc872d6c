package io.blockferry.events;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * Something an operator should know, published as JSON on the events topic and logged with the
 * same facts. The schema is stable: {@code type} and {@code cause} are kebab-case names listed in
 * the README, {@code counts} holds the numbers that explain it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Event(String type, String volumeId, String cause, String severity, String message,
                    Map<String, Long> counts, long timeMillis) {

    /** Routine facts worth a record, such as recovery points removed by retention. */
    public static final String INFO = "INFO";
    public static final String WARN = "WARN";
    public static final String ERROR = "ERROR";

    /** @param cause a name of {@link Causes}; any other is published as {@code unclassified}, and logged */
    public static Event of(String type, String volumeId, String cause, String severity, String message,
                           Map<String, Long> counts) {
        if (cause != null && !Causes.isKnown(cause)) {
            org.slf4j.LoggerFactory.getLogger(Event.class).warn("Event {} names cause '{}', which is not in the "
                    + "closed list (events/Causes): published as unclassified", type, cause);
            cause = Causes.UNCLASSIFIED.wire();
        }
        return new Event(type, volumeId, cause, severity, message, Map.copyOf(counts), System.currentTimeMillis());
    }
}
