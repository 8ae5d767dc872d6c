package io.blockferry.target;

import static io.blockferry.testing.Generations.data;
import static io.blockferry.testing.Generations.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import io.blockferry.events.EventTypes;
import io.blockferry.source.AckHandler;
import io.blockferry.store.Database;
import io.blockferry.testing.Generations;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target's commit protocol on a real H2 catalog and real files (no Ceph, no Kafka): durable
 * before the ack, directories made durable, no replay onto the wrong replica, one bad volume never
 * stops the others, generation numbers never reused silently, lost files found.
 */
class CommitProtocolTest {

    private static final int MiB = 1 << 20;
    private static final String A = "volumes/a";
    private static final String B = "volumes/b";

    @TempDir
    Path dir;
    private Database db;
    private Repository repository;
    private RecoveryPointCatalog catalog;
    private final List<Event> events = new ArrayList<>();
    private ChunkWriter writer;

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("state/target"), RecoveryPointCatalog.SCHEMA);
        repository = new Repository(dir.resolve("repository"));
        catalog = new RecoveryPointCatalog(db);
        writer = newWriter();
    }

    @AfterEach
    void close() {
        db.close();
        Repository.directorySynced = d -> { };
    }

    private ChunkWriter newWriter() {
        return new ChunkWriter(repository, catalog, 64 * MiB, events::add);
    }

    private GenerationAck apply(List<byte[]> frames) {
        GenerationAck ack = null;
        for (byte[] frame : frames) {
            try {
                GenerationAck answer = writer.apply(frame).ack();
                ack = answer != null ? answer : ack;
            } catch (CorruptChunkException e) {
                // dead-lettered in production; the generation is answered at END
            }
        }
        return ack;
    }

    /** A replica that can no longer be written: a directory where the file was. */
    private static void breakReplica(Path replica) throws Exception {
        Files.delete(replica);
        Files.createDirectory(replica);
    }

    private byte[] replica(String volumeId) throws Exception {
        return Files.readAllBytes(repository.replica(volumeId));
    }

    @Test
    void should_have_the_point_durable_in_the_catalog_before_the_ack_is_answered() throws Exception {
        Generations gens = new Generations(A, 4 * MiB, 1);
        GenerationAck ack = apply(gens.generation(1, SyncMode.FULL, "s1", null, data(0, MiB), data(2 * MiB, MiB)));
        assertTrue(ack.committed());
        // what a kill -9 right now leaves on disk: a copy of the catalog file as it is, the store still open
        Path copy = dir.resolve("copy/target.mv.db");
        Files.createDirectories(copy.getParent());
        Files.copy(dir.resolve("state/target.mv.db"), copy);
        try (Database reopened = Database.open(dir.resolve("copy/target"), RecoveryPointCatalog.SCHEMA)) {
            RecoveryPoint latest = new RecoveryPointCatalog(reopened).latest(A).orElseThrow();
            assertEquals(1, latest.generation());
            assertTrue(latest.committed(), "the point is COMMITTED in the file, not only in memory");
            assertEquals(1, new RecoveryPointCatalog(reopened).queuedAcks().size(), "and its ack is queued durably");
        }
    }

    @Test
    void should_make_every_directory_a_commit_changes_durable() {
        Set<Path> synced = ConcurrentHashMap.newKeySet();
        Repository.directorySynced = synced::add;
        Generations gens = new Generations(A, 4 * MiB, 2);
        apply(gens.generation(1, SyncMode.FULL, "s1", null, data(0, MiB)));
        Path volume = repository.volumeDir(A);
        assertTrue(synced.containsAll(List.of(volume.resolve("staging"), volume.resolve("points"), volume)),
                "staging (sealed files), points (renamed point) and the volume (renamed replica): " + synced);
    }

    @Test
    void should_never_replay_a_failed_apply_over_a_newer_replica() throws Exception {
        Generations gens = new Generations(A, 4 * MiB, 3);
        assertTrue(apply(gens.generation(1, SyncMode.FULL, "s1", null, data(0, 2 * MiB))).committed());
        Path replicaFile = repository.replica(A);
        byte[] good = replica(A);
        // the replica becomes unwritable while generation 2 arrives (a full disk, an I/O error): its END is
        // recorded but not applied, and not acked
        List<byte[]> incremental = gens.generation(2, SyncMode.INCREMENTAL, "s2", "s1", data(MiB, MiB));
        apply(incremental.subList(0, incremental.size() - 1));
        breakReplica(replicaFile);
        GenerationAck second = apply(incremental.subList(incremental.size() - 1, incremental.size()));
        assertNull(second, "no ack for a point the replica did not take");
        assertTrue(events.stream().anyMatch(e -> e.type().equals(EventTypes.REPLICA_APPLY_FAILED)
                && A.equals(e.volumeId())), "replica-apply-failed names the volume: " + events);
        assertTrue(catalog.applying().stream().anyMatch(p -> p.generation() == 2));

        Files.delete(replicaFile);
        Generations full = new Generations(A, 4 * MiB, 4);
        assertTrue(apply(full.generation(4, SyncMode.FULL, "s4", null, data(0, MiB), data(3 * MiB, MiB))).committed(),
                "a full generation supersedes what could not be applied");
        writer = newWriter();
        writer.recover();

        assertArrayEquals(full.image(), replica(A), "the replica holds generation 4, not 4 with 2 replayed over it");
        assertEquals(List.of(), catalog.applying(), "the moot point was settled");
        assertEquals(4, catalog.replica(A).generation());
        assertFalse(java.util.Arrays.equals(good, replica(A)));
    }

    @Test
    void should_start_and_serve_other_volumes_when_one_point_cannot_be_applied() throws Exception {
        Generations a = new Generations(A, 4 * MiB, 5);
        Generations b = new Generations(B, 4 * MiB, 6);
        assertTrue(apply(a.generation(1, SyncMode.FULL, "a1", null, data(0, MiB))).committed());
        assertTrue(apply(b.generation(1, SyncMode.FULL, "b1", null, data(0, MiB))).committed());
        List<byte[]> incremental = a.generation(2, SyncMode.INCREMENTAL, "a2", "a1", data(MiB, MiB));
        apply(incremental.subList(0, incremental.size() - 1));
        breakReplica(repository.replica(A));
        assertNull(apply(incremental.subList(incremental.size() - 1, incremental.size())));
        events.clear();

        writer = newWriter();
        writer.recover();

        assertTrue(events.stream().anyMatch(e -> e.type().equals(EventTypes.REPLICA_APPLY_FAILED)
                && A.equals(e.volumeId())), "the volume that cannot be finished is reported: " + events);
        GenerationAck nextB = apply(b.generation(2, SyncMode.INCREMENTAL, "b2", "b1", data(2 * MiB, MiB)));
        assertTrue(nextB.committed(), "another volume is served");
        assertArrayEquals(b.image(), replica(B));
        GenerationAck nextA = apply(a.generation(3, SyncMode.INCREMENTAL, "a3", "a2", data(3 * MiB, 4096)));
        assertFalse(nextA.committed(), "nothing is built on a replica that could not take its point");
        // the start's check found that the replica is no regular file any more: a full resync replaces it
        assertEquals("target-missing-base", nextA.cause());
    }

    @Test
    void should_reject_a_generation_number_already_used_for_another_snapshot() {
        Generations gens = new Generations(A, 4 * MiB, 7);
        long past = System.currentTimeMillis() - 60_000;
        assertTrue(apply(gens.generation(5, SyncMode.FULL, "s5", null, past, data(0, MiB))).committed());
        // a source rebuilt from nothing numbers from 1 again, with new snapshots
        GenerationAck reused = apply(gens.generation(1, SyncMode.FULL, "rebuilt-1", null, data(0, MiB)));
        assertNotNull(reused, "answered, never ignored silently");
        assertFalse(reused.committed());
        assertEquals(AckHandler.GENERATION_REUSED, reused.cause());
        assertEquals(5, reused.latestGeneration(), "the source learns where to continue");
        assertTrue(reused.reason().contains("continues above 5"), reused.reason());
        // the same generation delivered again is not a reuse
        GenerationAck again = apply(gens.generation(5, SyncMode.FULL, "s5", null, past, data(0, MiB)));
        assertTrue(again.committed(), "a redelivery of a committed generation is answered with its ack again");
    }

    @Test
    void should_punch_holes_for_zeros_over_data() throws Exception {
        Generations gens = new Generations(A, 64 * MiB, 8);
        assertTrue(apply(gens.generation(1, SyncMode.FULL, "s1", null, data(0, 32 * MiB))).committed());
        long before = io.blockferry.testing.DiskUsage.allocatedBytes(repository.replica(A));
        assertTrue(apply(gens.generation(2, SyncMode.INCREMENTAL, "s2", "s1", zeros(0, 32 * MiB))).committed());
        long after = io.blockferry.testing.DiskUsage.allocatedBytes(repository.replica(A));
        assertTrue(before >= 32L * MiB && after < MiB, "allocated " + before + " then " + after + " bytes");
        assertArrayEquals(gens.image(), replica(A));
    }

    @Test
    void should_find_lost_files_at_start_and_scrub_the_other_volumes() throws Exception {
        Generations a = new Generations(A, 4 * MiB, 9);
        Generations b = new Generations(B, 4 * MiB, 10);
        apply(a.generation(1, SyncMode.FULL, "a1", null, data(0, MiB)));
        apply(b.generation(1, SyncMode.FULL, "b1", null, data(0, MiB), data(2 * MiB, MiB)));
        apply(b.generation(2, SyncMode.INCREMENTAL, "b2", "b1", data(MiB, 4096)));
        // B's copy rots; A's directory is moved away while Blockferry is stopped
        try (RandomAccessFile file = new RandomAccessFile(repository.replica(B).toFile(), "rw")) {
            file.seek(2 * MiB + 100);
            file.write(file.read() ^ 0x20);
        }
        Files.move(repository.volumeDir(A), dir.resolve("moved-away"));
        events.clear();

        Scrubber scrubber = new Scrubber(repository, catalog, writer::replica, writer::lockOf, events::add);
        List<Scrubber.Report> reports = scrubber.scrubAll();

        Scrubber.Report ofA = reports.stream().filter(r -> r.volumeId().equals(A)).findFirst().orElseThrow();
        Scrubber.Report ofB = reports.stream().filter(r -> r.volumeId().equals(B)).findFirst().orElseThrow();
        assertNotNull(ofA.problem(), "the volume with missing files is reported as such");
        assertEquals(1, ofB.mismatches(), "the other volume is still checked, and its flipped byte found");
        assertTrue(events.stream().anyMatch(e -> e.type().equals(EventTypes.TARGET_FILES_MISSING) && A.equals(e.volumeId())
                && e.message().contains(A)), "an event names the volume: " + events);
        assertTrue(events.stream().anyMatch(e -> e.type().equals(EventTypes.RESYNC_REQUESTED) && A.equals(e.volumeId())),
                "and asks for a full resync");
        assertFalse(catalog.replica(A).valid());
        GenerationAck next = apply(a.generation(2, SyncMode.INCREMENTAL, "a2", "a1", data(0, 4096)));
        assertFalse(next.committed(), "nothing is built on what is gone");
        assertEquals("target-missing-base", next.cause());
        assertFalse(Files.exists(repository.replica(A)), "no replica was made up from an incremental");
    }
}
