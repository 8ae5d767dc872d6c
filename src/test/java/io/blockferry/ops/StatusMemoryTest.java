package io.blockferry.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.blockferry.events.Event;
import io.blockferry.source.SyncProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The status page's in-memory parts: the events ring, the streamed-bytes meter and the history. */
class StatusMemoryTest {

    private static SyncProgress.Snapshot running(String volume, long generation, long done) {
        return new SyncProgress.Snapshot(volume, generation, "full", done, 100, 1.0, 1L, 1);
    }

    @Test
    void should_keep_the_newest_events_first_and_filter_by_volume() {
        RecentEvents ring = new RecentEvents(3);
        for (int i = 1; i <= 5; i++) {
            ring.add(Event.of("sync-failed", "volumes/v" + (i % 2), null, Event.WARN, "failure " + i, Map.of()));
        }
        assertEquals(List.of("failure 5", "failure 4", "failure 3"),
                ring.recent(null, null).stream().map(Event::message).toList());
        assertEquals(List.of("failure 5"), ring.recent(1, null).stream().map(Event::message).toList());
        assertEquals(List.of("failure 5", "failure 3"),
                ring.recent(null, "volumes/v1").stream().map(Event::message).toList());
    }

    @Test
    void should_count_every_streamed_byte_once_even_after_the_last_sample_that_saw_the_sync() {
        SentBytes sent = new SentBytes();
        assertEquals(30, sent.take(List.of(running("volumes/a", 1, 30))));
        assertEquals(40, sent.take(List.of(running("volumes/a", 1, 70))));
        sent.published("volumes/a", 1, 100);
        sent.published("volumes/b", 4, 12);
        assertEquals(30 + 12, sent.take(List.of()), "a's last 30 bytes, and b that began and ended in between");
        assertEquals(0, sent.take(List.of()));

        assertEquals(50, sent.take(List.of(running("volumes/c", 2, 50))));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, sent.take(List.of()), "a failed sync adds nothing more");
        }
        sent.published("volumes/c", 2, 100);
        assertEquals(100, sent.take(List.of()), "a failed sync given up on no longer offsets a publish");
    }

    @Test
    void should_sample_rates_per_second_and_keep_only_the_span() {
        long[] now = {Instant.parse("2026-11-22T00:00:00Z").toEpochMilli()};
        Clock clock = new Clock() {
            @Override
            public long millis() {
                return now[0];
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now[0]);
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        long[] written = {0};
        StatusHistory history = new StatusHistory(new StatusHistory.Readings() {
            public long sentBytesSinceLast() {
                return 20_000_000;
            }

            public long writtenBytesTotal() {
                return written[0];
            }

            public Long worstRpoSeconds() {
                return null;
            }

            public int rpoBreached() {
                return 1;
            }

            public int running() {
                return 2;
            }

            public int queued() {
                return 3;
            }
        }, clock, Duration.ofSeconds(10), Duration.ofSeconds(30));

        for (int i = 0; i < 5; i++) {
            now[0] += 10_000;
            written[0] += 50_000_000;
            history.sample();
        }
        @SuppressWarnings("unchecked")
        List<StatusHistory.Sample> samples = (List<StatusHistory.Sample>) history.history().get("samples");

        assertEquals(3, samples.size(), "30 s of 10 s samples");
        StatusHistory.Sample last = samples.get(2);
        assertEquals(now[0], last.atMillis());
        assertEquals(2.0, last.sentMegabytesPerSecond(), 1e-9);
        assertEquals(5.0, last.writtenMegabytesPerSecond(), 1e-9);
        assertNull(last.worstRpoSeconds());
        assertEquals(1, last.rpoBreached());
        assertEquals(3, last.queued());
    }
}
