package io.blockferry.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import io.blockferry.source.SyncOptions;
import io.blockferry.store.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkQueueTest {

    @TempDir
    Path dir;

    private Database db;
    private final List<Event> events = new ArrayList<>();
    private final MutableClock clock = new MutableClock();

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("state"), TaskStore.SCHEMA);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private WorkQueue queue(QueueLimits limits) {
        return new WorkQueue(limits, new TaskStore(db), events::add, QueueObserver.NONE, clock, p -> SyncOptions.DEFAULTS);
    }

    private static QueueLimits caps(int hosts, int disks, int perPool, Map<String, Integer> pools) {
        return new QueueLimits(hosts, disks, perPool, pools, Duration.ofHours(1));
    }

    private static List<String> volumes(List<SyncTask> tasks) {
        return tasks.stream().map(SyncTask::volumeId).toList();
    }

    private static void submit(WorkQueue q, String volume, int priority) {
        q.submit(volume, null, null, priority, false, "test", SyncOptions.DEFAULTS);
    }

    @Test
    void startsAtMostTheDiskCapHighestPriorityThenOldest() {
        WorkQueue q = queue(caps(100, 2, 0, Map.of()));
        for (int i = 1; i <= 5; i++) {
            submit(q, "volumes/v" + i, i == 4 ? 90 : 50);
            clock.advance(1000);
        }
        List<SyncTask> first = q.dispatch();
        assertEquals(List.of("volumes/v4", "volumes/v1"), volumes(first));
        assertEquals(List.of(), q.dispatch());
        assertEquals(3, q.depth());
        q.finished(first.get(1), null);
        assertEquals(List.of("volumes/v2"), volumes(q.dispatch()));
        assertEquals(2, q.running().size());
    }

    @Test
    void aVolumeNeverRunsTwiceAndLaterRequestsFoldIntoTheWaitingOne() {
        WorkQueue q = queue(caps(100, 10, 0, Map.of()));
        submit(q, "volumes/a", 50);
        SyncTask running = q.dispatch().get(0);
        submit(q, "volumes/a", 50);
        SyncTask folded = q.submit("volumes/a", null, null, 70, true, "api", SyncOptions.DEFAULTS);
        assertEquals(1, q.depth());
        assertTrue(folded.full());
        assertEquals(70, folded.priority());
        assertEquals(List.of(), q.dispatch(), "the volume is still running");
        q.finished(running, "failed");
        SyncTask next = q.dispatch().get(0);
        assertTrue(next.full());
        assertEquals("api", next.trigger());
    }

    @Test
    void poolAndHostCaps() {
        WorkQueue q = queue(caps(2, 10, 1, Map.of("vms", 2)));
        q.submit("volumes/a", "server-1", null, 50, false, "t", SyncOptions.DEFAULTS);
        q.submit("volumes/b", "server-2", null, 50, false, "t", SyncOptions.DEFAULTS);
        q.submit("vms/c", "server-1", null, 50, false, "t", SyncOptions.DEFAULTS);
        q.submit("vms/d", "server-1", null, 50, false, "t", SyncOptions.DEFAULTS);
        q.submit("vms/e", "server-3", null, 50, false, "t", SyncOptions.DEFAULTS);
        // volumes: 1 at a time; vms: 2 at a time; 2 hosts, and server-1's other disks may join it.
        assertEquals(List.of("volumes/a", "vms/c", "vms/d"), volumes(q.dispatch()));
        assertEquals(List.of("volumes/b", "vms/e"), volumes(q.queued()));
    }

    @Test
    void aTaskPastTheMaximumWaitFailsWithQueueTimeout() {
        WorkQueue q = queue(new QueueLimits(100, 1, 0, Map.of(), Duration.ofMinutes(10)));
        submit(q, "volumes/busy", 50);
        q.dispatch();
        q.submit("volumes/late", null, "gold", 50, false, "policy gold", SyncOptions.DEFAULTS);
        clock.advance(Duration.ofMinutes(10).toMillis());
        assertEquals(List.of(), q.dispatch());
        assertEquals(List.of(), events, "exactly the maximum wait is not too long");
        clock.advance(1);
        q.dispatch();
        assertEquals(0, q.depth());
        assertEquals(1, events.size());
        Event e = events.get(0);
        assertEquals("queue-timeout", e.type());
        assertEquals("volumes/late", e.volumeId());
        assertEquals(600L, e.counts().get("waitedSeconds"));
        assertTrue(e.message().contains("policy gold") && e.message().contains("waited 600 s"), e.message());
    }

    @Test
    void queuedAndRunningTasksSurviveARestart() {
        WorkQueue q = queue(caps(100, 1, 0, Map.of()));
        submit(q, "volumes/a", 50);
        clock.advance(10);
        submit(q, "volumes/b", 50);
        assertEquals(List.of("volumes/a"), volumes(q.dispatch()));

        WorkQueue after = queue(caps(100, 1, 0, Map.of()));
        assertEquals(List.of("volumes/a", "volumes/b"), volumes(after.queued()));
        assertEquals(List.of("volumes/a"), volumes(after.dispatch()));
        SyncTask fresh = after.submit("volumes/c", null, null, 50, false, "t", SyncOptions.DEFAULTS);
        assertTrue(fresh.id() > 2, "ids go on after the stored ones");
    }

    private static final class MutableClock extends Clock {
        private long millis = 1_700_000_000_000L;

        void advance(long ms) {
            millis += ms;
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
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void thirtyHcsDisksRunTwentyThreeAtATimeBesideAnotherBackendsDisks() {
        // the proxy's cap (blockferry.queue.max-disks) is higher; HCS's own 23 is what binds
        WorkQueue q = queue(new QueueLimits(100, 40, 0, Map.of(), Duration.ofHours(1), Map.of("hcs", 23)));
        for (int i = 1; i <= 30; i++) {
            q.submit("hcs:project/disk-" + i, "server-" + (i % 3), null, 50, false, "test", SyncOptions.DEFAULTS);
            clock.advance(10);
        }
        submit(q, "volumes/rbd-disk", 50);
        List<SyncTask> started = q.dispatch();
        assertEquals(23, started.stream().filter(t -> t.backend().equals("hcs")).count(), "23 HCS disks at once");
        assertTrue(volumes(started).contains("volumes/rbd-disk"), "the other backend is not held up by HCS's cap");
        assertEquals(7, q.depth());
        assertEquals(List.of(), q.dispatch(), "no 24th HCS disk while 23 are in flight");
        for (int done = 0; done < 7; done++) {
            SyncTask finished = q.running().stream().filter(t -> t.backend().equals("hcs")).findFirst().orElseThrow();
            q.finished(finished, null);
            List<SyncTask> next = q.dispatch();
            assertEquals(1, next.size(), "each freed slot takes exactly one waiting disk");
            assertEquals(23, q.running().stream().filter(t -> t.backend().equals("hcs")).count());
        }
        assertEquals(0, q.depth(), "all 30 ran");
    }

    @Test
    void aTaskWhoseBackendHadNoRoomWaitsAgainAndStillTimesOutAfterTheMaximumWait() {
        WorkQueue q = queue(new QueueLimits(100, 23, 0, Map.of(), Duration.ofHours(1), Map.of("hcs", 23)));
        q.submit("hcs:project/disk-1", null, "gold", 50, false, "policy gold", SyncOptions.DEFAULTS);
        SyncTask first = q.dispatch().get(0);
        clock.advance(Duration.ofMinutes(30).toMillis());
        q.finished(first, "no slot", new io.blockferry.source.hcs.AttachLimitException("Ecs.0042"));
        assertEquals(List.of("hcs:project/disk-1"), volumes(q.queued()), "queued again, not failed");
        assertEquals(first.enqueuedAtMillis(), q.queued().get(0).enqueuedAtMillis(), "its wait goes on");
        assertEquals(List.of(), q.recent(), "not recorded as finished");
        SyncTask again = q.dispatch().get(0);
        assertEquals(first.id(), again.id());
        q.finished(again, "no slot", new io.blockferry.source.hcs.AttachLimitException("Ecs.0042"));
        clock.advance(Duration.ofMinutes(31).toMillis());
        assertEquals(List.of(), q.dispatch());
        assertEquals(1, events.size());
        assertEquals("queue-timeout", events.get(0).type(), "the 1 h maximum wait still applies: " + events);
        q.submit("hcs:project/disk-2", null, null, 50, false, "t", SyncOptions.DEFAULTS);
        SyncTask other = q.dispatch().get(0);
        q.finished(other, "boom", new IllegalStateException("boom"));
        assertEquals(0, q.depth(), "any other failure ends the task");
    }
}
