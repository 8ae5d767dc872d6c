package io.blockferry.target;

import static io.blockferry.testing.Generations.data;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.store.Database;
import io.blockferry.store.StoreException;
import io.blockferry.testing.Generations;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers sharing one repository and one catalog (blockferry.target.work-sharing=kafka), on
 * real files and a real H2 catalog in mixed mode: a volume is written by the writer holding its
 * lock, the other waits; a writer that takes a volume over continues its chain from the catalog,
 * a staged generation from its last checkpoint.
 */
class SharedRepositoryTest {

    private static final int MiB = 1 << 20;
    private static final String V = "volumes/shared";

    @TempDir
    Path dir;
    private Writer a;
    private Writer b;

    /** One writer process's share: its connection to the catalog, its locks, its writer. */
    private record Writer(Database db, VolumeLocks locks, ChunkWriter writer) implements AutoCloseable {

        static Writer open(Path dir, String name) {
            Repository repository = new Repository(dir.resolve("repository"));
            Database db = Database.openShared(repository.root().resolve(".catalog").resolve("target"),
                    RecoveryPointCatalog.SCHEMA);
            VolumeLocks locks = new VolumeLocks(repository, name);
            ChunkWriter writer = new ChunkWriter(repository, new RecoveryPointCatalog(db), 64 * MiB, e -> { });
            writer.shareWith(locks);
            writer.recover();
            return new Writer(db, locks, writer);
        }

        GenerationAck apply(List<byte[]> frames) {
            GenerationAck ack = null;
            for (byte[] frame : frames) {
                GenerationAck answer = writer.apply(frame).ack();
                ack = answer != null ? answer : ack;
            }
            return ack;
        }

        @Override
        public void close() {
            locks.releaseAll();
            db.close();
        }
    }

    @BeforeEach
    void open() {
        a = Writer.open(dir, "writer a");
        b = Writer.open(dir, "writer b");
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    @Test
    void should_continue_a_volume_chain_on_the_writer_that_takes_it_over() throws Exception {
        Generations gens = new Generations(V, 4 * MiB, 7);
        assertTrue(a.apply(gens.generation(1, SyncMode.FULL, "s1", null, data(0, 2 * MiB))).committed());
        a.writer().release(V);
        GenerationAck second = b.apply(gens.generation(2, SyncMode.INCREMENTAL, "s2", "s1", data(MiB, MiB)));
        assertTrue(second.committed(), "the incremental builds on the point the other writer committed: " + second);
        RecoveryPointCatalog catalog = b.writer().catalog();
        assertEquals(List.of("FULL", "INCREMENTAL"), catalog.committed(V).stream().map(RecoveryPoint::mode).toList());
        assertArrayEquals(gens.image(), Files.readAllBytes(b.writer().repository().replica(V)),
                "the replica is the source at s2");
        assertEquals(2, a.writer().catalog().latest(V).orElseThrow().generation(), "both see one catalog");
    }

    @Test
    void should_resume_a_generation_another_writer_checkpointed() throws Exception {
        Generations gens = new Generations(V, 4 * MiB, 8);
        List<byte[]> frames = gens.generation(1, SyncMode.FULL, "s1", null, data(0, MiB), data(2 * MiB, MiB),
                data(3 * MiB, MiB));
        a.apply(frames.subList(0, 3));
        a.writer().checkpoint(V);
        a.writer().release(V);
        // the records after BEGIN come again (their offsets were committed at the checkpoint or not at all)
        GenerationAck ack = b.apply(frames.subList(1, frames.size()));
        assertTrue(ack.committed(), "the staged generation finished on the other writer: " + ack);
        assertArrayEquals(gens.image(), Files.readAllBytes(b.writer().repository().replica(V)));
    }

    @Test
    void should_not_write_a_volume_another_writer_holds() {
        Generations gens = new Generations(V, 4 * MiB, 9);
        List<byte[]> first = gens.generation(1, SyncMode.FULL, "s1", null, data(0, MiB));
        a.apply(first);
        // b is given the volume while a still holds it: b waits, and gives up once the volume is not its own
        AtomicInteger asked = new AtomicInteger();
        b.locks().wantedWhile(volumeId -> asked.incrementAndGet() < 4);
        List<byte[]> second = gens.generation(2, SyncMode.INCREMENTAL, "s2", "s1", data(MiB, MiB));
        assertThrows(NotHeldException.class, () -> b.writer().apply(second.get(0)));
        assertTrue(asked.get() >= 4, "b asked again while waiting for a's lock");
        assertFalse(b.writer().holds(V));
        assertTrue(b.writer().catalog().stagings().isEmpty(), "nothing staged by b");
        a.writer().release(V);
        b.locks().wantedWhile(volumeId -> true);
        assertTrue(b.apply(second).committed());
        assertTrue(b.writer().holds(V));
        assertFalse(a.writer().holds(V));
    }

    @Test
    void should_refuse_a_writer_of_its_own_on_a_shared_repository_and_the_other_way_round() {
        Repository repository = new Repository(dir.resolve("repository"));
        try (RepositoryLock shared = RepositoryLock.share(repository, "writer a")) {
            StoreException alone = assertThrows(StoreException.class, () -> RepositoryLock.take(repository, "c"));
            assertTrue(alone.getMessage().contains("blockferry.target.work-sharing=kafka"), alone.getMessage());
        }
        try (RepositoryLock alone = RepositoryLock.take(repository, "writer c")) {
            StoreException sharing = assertThrows(StoreException.class, () -> RepositoryLock.share(repository, "a"));
            assertTrue(sharing.getMessage().contains("does not share it (writer c"), sharing.getMessage());
        }
    }
}
