package io.blockferry.fault;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named steps of the commit protocol where tests inject faults. In production nothing is
 * installed and {@link #reach} does nothing. Two ways in, both for tests only:
 * <ul>
 * <li>the system property {@code blockferry.crash-at=NAME} makes the process halt at once when it
 *     reaches NAME, with nothing flushed and no shutdown hook run: what a {@code kill -9} right
 *     after that step leaves behind;</li>
 * <li>{@link #install} runs an action when a step is reached in this JVM (stop a broker, block).</li>
 * </ul>
 * Each name is documented where it is reached; {@link Step} lists them.
 */
public final class FaultPoints {

    /** The steps, in the order a generation passes them. */
    public enum Step {
        /** Source: some of a generation's records are in Kafka, END is not. */
        SOURCE_MID_STREAM("source.mid-stream"),
        /** Source: every record of a generation, END included, is acknowledged by Kafka. */
        SOURCE_AFTER_PUBLISH("source.after-publish"),
        /** Target: a generation's staged files are complete and durable, nothing else changed. */
        TARGET_AFTER_STAGING("target.after-staging"),
        /** Target: the catalog's row of the new point is durable (state APPLYING). */
        TARGET_AFTER_CATALOG_ROW("target.after-catalog-row"),
        /** Target: the point's files are renamed into place. */
        TARGET_AFTER_RENAME("target.after-rename"),
        /**
         * Target: part of an incremental's writes are in the DR replica (its first data extent,
         * flushed), its DR snapshot not taken; the catalog says APPLYING.
         */
        TARGET_MID_REPLICA_APPLY("target.mid-replica-apply"),
        /** Target: the replica holds the new point and is durable; the catalog still says APPLYING. */
        TARGET_AFTER_REPLICA_APPLY("target.after-replica-apply"),
        /** Target: the point is COMMITTED in the catalog, its ack not yet published. */
        TARGET_AFTER_COMMIT("target.after-commit"),
        /** Target: the ack is acknowledged by Kafka. */
        TARGET_AFTER_ACK("target.after-ack");

        private final String id;

        Step(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    private static final String CRASH_AT = System.getProperty("blockferry.crash-at", "");
    private static final Map<Step, Runnable> ACTIONS = new ConcurrentHashMap<>();
    private static volatile boolean anyInstalled;

    private FaultPoints() {
    }

    public static void reach(Step step) {
        if (!CRASH_AT.isEmpty() && CRASH_AT.equals(step.id())) {
            System.err.println("blockferry: crash point " + step.id() + " reached: halting (blockferry.crash-at)");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
        if (anyInstalled) {
            Runnable action = ACTIONS.get(step);
            if (action != null) {
                action.run();
            }
        }
    }

    /** Runs {@code action} each time {@code step} is reached, until {@link #clear}. Tests only. */
    public static void install(Step step, Runnable action) {
        ACTIONS.put(step, action);
        anyInstalled = true;
    }

    public static void clear() {
        ACTIONS.clear();
        anyInstalled = false;
    }
}
