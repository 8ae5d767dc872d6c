package io.blockferry.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import io.blockferry.schedule.ServerDirectory.Disk;
import io.blockferry.schedule.ServerDirectory.ServerDisks;
import io.blockferry.store.Database;
import java.nio.file.Files;
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

class PolicyRunnerTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
    private static final Map<String, List<String>> POOLS = Map.of(
            "volumes", List.of("db-1", "db-2", "web-1"), "vms", List.of("s1_disk"));

    @TempDir
    Path dir;

    private Database db;
    private Path file;
    private final List<Event> events = new ArrayList<>();
    private final List<String> exported = new ArrayList<>();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private List<ServerDisks> servers = List.of();

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("state"), SchemaOf.ALL);
        file = dir.resolve("policies.yaml");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private PolicyRegistry registry(String yaml) throws Exception {
        Files.writeString(file, yaml);
        PolicyRegistry registry = new PolicyRegistry(file, true, events::add);
        registry.load();
        return registry;
    }

    private WorkQueue queue() {
        return new WorkQueue(new QueueLimits(100, 23, 0, Map.of(), Duration.ofHours(1)), new TaskStore(db),
                events::add, QueueObserver.NONE, clock, p -> io.blockferry.source.SyncOptions.DEFAULTS);
    }

    private PolicyRunner runner(PolicyRegistry registry, WorkQueue queue) {
        PolicySelector selector = new PolicySelector(() -> servers, (backend, pool) -> {
            if (!POOLS.containsKey(pool)) {
                throw new IllegalStateException("Ceph pool '" + pool + "' does not exist");
            }
            return POOLS.get(pool).stream().map(image -> new io.blockferry.source.VolumeId(backend, pool, image))
                    .toList();
        });
        return new PolicyRunner(registry, selector, queue, new PolicyRunStore(db), events::add, clock, exported::add);
    }

    private static List<String> volumes(List<SyncTask> tasks) {
        return tasks.stream().map(SyncTask::volumeId).sorted().toList();
    }

    private static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    @Test
    void aRunQueuesTheSelectedDisksWithThePolicysOptionsAndAFullEveryNthRun() throws Exception {
        WorkQueue queue = queue();
        PolicyRunner runner = runner(registry("""
                policies:
                  - name: db
                    schedule: "0 0 * * * ?"
                    select: {volumes: [volumes/db-*]}
                    exclude-disks: [volumes/db-2]
                    full-every: 2
                    keep-snapshots: 3
                    priority: 70
                """), queue);
        PolicyRunner.RunSummary first = runner.fire("db");
        assertEquals(1, first.run());
        assertFalse(first.full());
        assertEquals(List.of("volumes/db-1"), volumes(queue.queued()));
        SyncTask task = queue.queued().get(0);
        assertEquals(70, task.priority());
        assertEquals("db", task.options().policy());
        assertEquals(3, task.options().keepSnapshots());
        queue.finished(queue.dispatch().get(0), null);

        PolicyRunner.RunSummary second = runner.fire("db");
        assertTrue(second.full(), "every 2nd run is full");
        assertTrue(queue.queued().get(0).full());
    }

    @Test
    void aFireWhileThePreviousRunIsBusyIsSkippedNotDoubled() throws Exception {
        WorkQueue queue = queue();
        PolicyRunner runner = runner(registry("""
                policies:
                  - name: db
                    schedule: "* * * * * ?"
                    select: {volumes: [volumes/db-*]}
                """), queue);
        runner.fire("db");
        queue.dispatch();
        PolicyRunner.RunSummary again = runner.fire("db");
        assertTrue(again.skipped().contains("still has tasks queued or running"), again.skipped());
        assertEquals(0, queue.depth());
        assertEquals(List.of("policy-skipped"), types(events));
        assertThrows(PolicyBusyException.class, () -> runner.runNow("db", null));
        assertThrows(UnknownPolicyException.class, () -> runner.runNow("nope", null));
    }

    @Test
    void aDiskSelectedTwiceBelongsToTheFirstPolicyAndIsReportedAsAConflict() throws Exception {
        WorkQueue queue = queue();
        PolicyRunner runner = runner(registry("""
                policies:
                  - name: all-db
                    schedule: "0 0 * * * ?"
                    select: {volumes: [volumes/db-*]}
                  - name: one-db
                    schedule: "0 0 * * * ?"
                    select: {volumes: [volumes/db-1, volumes/web-1]}
                """), queue);
        PolicyRunner.RunSummary run = runner.fire("one-db");
        assertEquals(List.of("volumes/web-1"), volumes(queue.queued()), "db-1 is all-db's");
        assertEquals(1, run.conflicts().size());
        assertEquals("policy-conflict", events.get(0).type());
        assertEquals("volume volumes/db-1 is selected by policies all-db and one-db; only all-db (first in the "
                + "policy file) syncs it: make the selections disjoint", events.get(0).message());
    }

    @Test
    void serversAreSelectedByNameTagsAndProjectWithTheirDisksAndMetadataExported() throws Exception {
        servers = List.of(
                new ServerDisks("s1", "prod-db", List.of("backup"), List.of("p1", "demo"), List.of("default", "Default"),
                        List.of(new Disk("/dev/vda", null, "vms/s1_disk"), new Disk("/dev/vdb", "v2", "volumes/volume-v2"),
                                new Disk("/dev/vdc", "v3", "volumes/volume-v3"))),
                new ServerDisks("s2", "prod-web", List.of("backup", "no-backup"), List.of("p1", "demo"),
                        List.of("default"), List.of(new Disk("/dev/vda", "v4", "volumes/volume-v4"))),
                new ServerDisks("s3", "test-db", List.of("backup"), List.of("p1", "demo"), List.of("default"),
                        List.of(new Disk("/dev/vda", "v5", "volumes/volume-v5"))));
        WorkQueue queue = queue();
        PolicyRunner runner = runner(registry("""
                policies:
                  - name: prod
                    schedule: "0 0 * * * ?"
                    select:
                      servers: {name: "prod-.*", tags: [backup], exclude-tags: [no-backup], projects: [demo]}
                    exclude-disks: [/dev/vdc]
                """), queue);
        runner.fire("prod");
        assertEquals(List.of("vms/s1_disk", "volumes/volume-v2"), volumes(queue.queued()));
        assertTrue(queue.queued().stream().allMatch(t -> t.host().equals("s1")));
        assertEquals(List.of("s1"), exported);
    }

    @Test
    void aMissingPoolIsReportedAndTheRestOfTheSelectionStillRuns() throws Exception {
        WorkQueue queue = queue();
        PolicyRunner runner = runner(registry("""
                policies:
                  - name: mixed
                    schedule: "0 0 * * * ?"
                    select: {volumes: [gone/*, volumes/web-*]}
                """), queue);
        runner.fire("mixed");
        assertEquals(List.of("volumes/web-1"), volumes(queue.queued()));
        assertEquals(List.of("policy-skipped"), types(events));
        assertTrue(events.get(0).message().contains("Ceph pool 'gone' does not exist"), events.get(0).message());
    }

    @Test
    void aFireMissedWhileDownRunsOnceAtStart() throws Exception {
        PolicyRegistry registry = registry("""
                policies:
                  - name: nightly
                    schedule: "0 0 3 * * ?"
                    select: {volumes: [volumes/web-*]}
                  - name: hourly
                    schedule: "0 30 * * * ?"
                    select: {volumes: [volumes/db-1]}
                  - name: never-ran
                    schedule: "0 0 3 * * ?"
                    select: {volumes: [volumes/db-2]}
                """);
        PolicyRunStore runs = new PolicyRunStore(db);
        runs.record("nightly", NOW.minus(Duration.ofDays(2)).toEpochMilli());
        runs.record("hourly", NOW.minus(Duration.ofMinutes(10)).toEpochMilli());
        WorkQueue queue = queue();
        runner(registry, queue).catchUp();
        assertEquals(List.of("volumes/web-1"), volumes(queue.queued()),
                "nightly missed two fires and runs once; hourly's next fire is still ahead; never-ran has no history");
        assertTrue(queue.queued().get(0).trigger().contains("missed fire at 2026-11-20T03:00:00Z"),
                queue.queued().get(0).trigger());
    }

    @Test
    void aBrokenReloadIsRejectedAndThePoliciesInForceStay() throws Exception {
        PolicyRegistry registry = registry("""
                policies:
                  - name: db
                    schedule: "0 0 * * * ?"
                    select: {volumes: [volumes/db-*]}
                """);
        List<List<Policy>> applied = new ArrayList<>();
        registry.onChange(applied::add);
        Files.writeString(file, "policies:\n  - name: db\n    schedule: \"0 0 * * * ?\"\n    select: {volumes: [x]}\n"
                + "    keep-points: -1\n");
        PolicyFileException e = assertThrows(PolicyFileException.class, registry::reload);
        assertTrue(e.getMessage().contains("line 4: key 'volumes'"), e.getMessage());
        assertEquals(1, registry.all().size());
        assertEquals(List.of(), applied);
        assertEquals("policies-rejected", events.get(0).type());
        assertTrue(events.get(0).message().endsWith("the previous 1 policies stay active"), events.get(0).message());
        assertEquals(e.getMessage(), registry.lastError());

        Files.writeString(file, "policies: []\n");
        registry.reloadIfChanged();
        assertEquals(List.of(List.of()), applied);
        assertNull(registry.lastError());
    }

    @Test
    void aResyncOrRestSyncKeepsTheOptionsOfTheVolumesPolicyEvenAfterARestart() throws Exception {
        PolicyRegistry registry = registry("""
                policies:
                  - name: db
                    schedule: "0 0 * * * ?"
                    select: {volumes: [volumes/db-*]}
                    keep-points: 9
                    priority: 70
                """);
        WorkQueue queue = queue();
        Map<String, String> stored = Map.of("volumes/db-1", "db");
        TaskSubmitter submitter = new TaskSubmitter(queue, registry, 100, stored::get);
        SyncTask resync = submitter.submit(io.blockferry.source.SyncRequest.full("volumes/db-1",
                "resync-requested:chunk-corrupt"));
        assertEquals("db", resync.policy());
        assertEquals(9, resync.options().keepPoints());
        assertEquals(70, resync.priority());
        SyncTask manual = submitter.submit(new io.blockferry.source.SyncRequest("volumes/db-2", false, "api"));
        assertNull(manual.policy(), "a volume no policy has synced keeps the defaults");
        assertEquals(100, manual.priority());
    }

    @Test
    void serverSelectionsNeedTheInventory() throws Exception {
        Files.writeString(file, "policies:\n  - name: vms\n    schedule: \"0 0 * * * ?\"\n    select:\n"
                + "      servers: {tags: [backup]}\n");
        PolicyRegistry registry = new PolicyRegistry(file, false, events::add);
        PolicyFileException e = assertThrows(PolicyFileException.class, registry::load);
        assertTrue(e.getMessage().contains("set blockferry.openstack.enabled=true"), e.getMessage());
    }

    /** Both schedule tables, as the source's state store has them. */
    private static final class SchemaOf {
        static final List<String> ALL = java.util.stream.Stream.concat(TaskStore.SCHEMA.stream(),
                PolicyRunStore.SCHEMA.stream()).toList();
    }
}
