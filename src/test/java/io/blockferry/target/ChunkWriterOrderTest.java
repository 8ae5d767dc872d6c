package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.store.Database;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A generation's records must go forward through the image, or merging its diff later would be wrong. */
class ChunkWriterOrderTest {

    @Test
    void should_reject_a_generation_whose_records_go_back(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state/target"), RecoveryPointCatalog.SCHEMA)) {
            ChunkWriter writer = new ChunkWriter(new Repository(dir.resolve("repository")),
                    new RecoveryPointCatalog(db), 1 << 20, event -> { });
            writer.apply(ChunkCodec.encode(new ChunkRecord.Begin("volumes/a", 1, SyncMode.FULL, "first-sync", 1 << 20,
                    1 << 20, "s1", null, "id", 0, 0)));
            writer.apply(ChunkCodec.encode(data(1, 8192)));

            CorruptChunkException e = assertThrows(CorruptChunkException.class,
                    () -> writer.apply(ChunkCodec.encode(data(2, 4096))));
            GenerationAck ack = writer.apply(ChunkCodec.encode(new ChunkRecord.End("volumes/a", 1, 3, 2, 0, 200, 0,
                    new byte[32]))).ack();

            assertTrue(e.getMessage().contains("offset order"), e.getMessage());
            assertFalse(ack.committed());
            assertEquals(CorruptChunkException.CAUSE, ack.cause());
        }
    }

    private static ChunkRecord.Data data(long seq, long offset) {
        byte[] payload = new byte[100];
        return new ChunkRecord.Data("volumes/a", 1, seq, offset, ChunkCodec.crc32c(payload), payload);
    }
}
