package io.blockferry.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.security.RecordKeys;
import io.blockferry.transport.ChunkCodec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.SyncMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The document's decoder on frames of every type, signed and not, without Kafka. */
class SpecDecoderTest {

    @Test
    void should_decode_frames_of_every_type_with_the_documents_tables() {
        SpecDecoder spec = SpecDecoder.read(Path.of("docs/contract/chunk-records.md"));
        RecordKeys keys = RecordKeys.of(Map.of("example", ContractTest.EXAMPLE_KEY), "example", false, Map.of(), false);
        byte[] payload = new byte[64];
        List<ChunkRecord> records = List.of(new ChunkRecord.Begin("volumes/a", 2, SyncMode.INCREMENTAL, "scheduled",
                        8 << 20, 1 << 20, "s2", "s1", "id", 42, 0, 64),
                new ChunkRecord.Data("volumes/a", 2, 1, 4096, ChunkCodec.crc32c(payload), payload),
                new ChunkRecord.Zero("volumes/a", 2, 2, 1 << 20, 1 << 17),
                new ChunkRecord.End("volumes/a", 2, 3, 1, 1, 64, 1 << 17, new byte[32]));
        for (ChunkRecord r : records) {
            for (RecordKeys k : List.of(RecordKeys.NONE, keys)) {
                SpecDecoder.Decoded d = spec.decode(ChunkCodec.encode(r, k));
                assertEquals(r.seq(), d.number("seq"));
                assertEquals(k.signing() ? 1 : 0, d.number("flags"));
            }
        }
    }
}
