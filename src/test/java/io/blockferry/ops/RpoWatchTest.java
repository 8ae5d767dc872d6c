package io.blockferry.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import io.blockferry.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The RPO evaluator on a real state store, with a clock the test moves. */
class RpoWatchTest {

    private static final Duration HOUR = Duration.ofHours(1);
    private static final long T0 = Instant.parse("2026-11-22T00:00:00Z").toEpochMilli();

    private final List<Event> events = new ArrayList<>();
    private final MovableClock clock = new MovableClock(T0);

    @Test
    void should_announce_a_breach_once_and_its_end_once(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), RpoStore.SCHEMA)) {
            RpoWatch watch = new RpoWatch(new RpoStore(db), events::add, clock);
            long acked = T0;

            clock.advance(Duration.ofMinutes(59));
            RpoStatus within = only(watch.check(List.of(watched(acked))));
            assertFalse(within.breached(), within.toString());
            assertEquals(59 * 60, within.rpoSeconds());
            assertTrue(events.isEmpty(), events.toString());

            clock.advance(Duration.ofMinutes(2));
            RpoStatus missed = only(watch.check(List.of(watched(acked))));
            clock.advance(Duration.ofMinutes(5));
            watch.check(List.of(watched(acked)));
            watch.check(List.of(watched(acked)));

            assertTrue(missed.breached(), missed.toString());
            assertEquals(Instant.ofEpochMilli(T0).plus(HOUR).toString(), missed.breachedSince(),
                    "the breach began when the point outgrew the objective");
            assertEquals(1, events.size(), "one rpo-missed per breach: " + events);
            Event first = events.get(0);
            assertEquals("rpo-missed", first.type());
            assertEquals("point-too-old", first.cause());
            assertEquals("ERROR", first.severity());
            assertEquals(3600L, first.counts().get("objectiveSeconds"));
            assertTrue(first.message().contains("objective of 1h (policy gold)"), first.message());

            long newPoint = clock.millis();
            clock.advance(Duration.ofSeconds(10));
            RpoStatus restored = only(watch.check(List.of(watched(newPoint))));
            watch.check(List.of(watched(newPoint)));

            assertFalse(restored.breached(), restored.toString());
            assertNull(restored.breachedSince());
            assertEquals(2, events.size(), events.toString());
            Event back = events.get(1);
            assertEquals("rpo-restored", back.type());
            assertEquals("point-acked", back.cause());
            assertEquals("INFO", back.severity());
            assertEquals(Duration.ofMinutes(6).plusSeconds(10).toSeconds(), back.counts().get("breachSeconds"));
        }
    }

    @Test
    void should_not_announce_a_breach_again_after_a_restart(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), RpoStore.SCHEMA)) {
            clock.advance(Duration.ofHours(2));
            new RpoWatch(new RpoStore(db), events::add, clock).check(List.of(watched(T0)));
            clock.advance(Duration.ofMinutes(1));
            RpoStatus again = only(new RpoWatch(new RpoStore(db), events::add, clock).check(List.of(watched(T0))));

            assertTrue(again.breached());
            assertEquals(1, events.size(), events.toString());
        }
    }

    @Test
    void should_measure_a_volume_without_a_point_from_when_it_was_first_watched(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), RpoStore.SCHEMA)) {
            RpoWatch watch = new RpoWatch(new RpoStore(db), events::add, clock);
            RpoStatus fresh = only(watch.check(List.of(watched(0))));
            clock.advance(Duration.ofMinutes(61));
            RpoStatus late = only(watch.check(List.of(watched(0))));

            assertFalse(fresh.breached());
            assertNull(fresh.lastAckedAt());
            assertTrue(late.breached());
            assertEquals(61 * 60, late.rpoSeconds());
            assertEquals("no-point-yet", events.get(0).cause());
            assertTrue(events.get(0).message().contains("no acked recovery point for 1h 1m"), events.get(0).message());
        }
    }

    @Test
    void should_end_a_breach_when_the_objective_is_loosened_or_removed(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), RpoStore.SCHEMA)) {
            RpoWatch watch = new RpoWatch(new RpoStore(db), events::add, clock);
            clock.advance(Duration.ofMinutes(90));
            watch.check(List.of(watched(T0)));
            RpoStatus loosened = only(watch.check(List.of(new RpoWatch.Watched("volumes/db-1", "gold",
                    Duration.ofHours(2), T0))));
            clock.advance(Duration.ofMinutes(60));
            watch.check(List.of(watched(T0)));
            List<RpoStatus> none = watch.check(List.of());
            watch.check(List.of());

            assertFalse(loosened.breached());
            assertTrue(none.isEmpty());
            assertEquals(List.of("rpo-missed", "rpo-restored", "rpo-missed", "rpo-restored"),
                    events.stream().map(Event::type).toList());
            assertEquals("objective-changed", events.get(1).cause());
            assertEquals("objective-removed", events.get(3).cause());
        }
    }

    private static RpoWatch.Watched watched(long ackedAtMillis) {
        return new RpoWatch.Watched("volumes/db-1", "gold", HOUR, ackedAtMillis);
    }

    private static RpoStatus only(List<RpoStatus> statuses) {
        assertEquals(1, statuses.size(), statuses.toString());
        return statuses.get(0);
    }

    /** A clock that moves only when the test moves it. */
    private static final class MovableClock extends Clock {
        private long millis;

        MovableClock(long millis) {
            this.millis = millis;
        }

        void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
