package io.blockferry.target;

import static io.blockferry.testing.Generations.data;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import io.blockferry.store.Database;
import io.blockferry.testing.Generations;
import io.blockferry.transport.GenerationAck;
import io.blockferry.transport.SyncMode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two source sites with one volume id and the same snapshot names, into one target: an
 * incremental of one site is never applied on the other site's point (it is rejected as a chain
 * break, addressed to its own site); a full generation of the other site is taken, with an event
 * naming both sites. Every answer names the site it is for.
 */
class SourceSiteTest {

    private static final int KiB = 1024;
    private static final String VOLUME = "volumes/same-name";

    @Test
    void should_never_apply_one_sites_incremental_on_another_sites_point(@TempDir Path dir) throws Exception {
        List<Event> events = new ArrayList<>();
        try (Database db = Database.open(dir.resolve("state/target"), RecoveryPointCatalog.SCHEMA)) {
            ChunkWriter writer = new ChunkWriter(new Repository(dir.resolve("repository")), new RecoveryPointCatalog(db),
                    1 << 20, events::add);
            Generations east = new Generations(VOLUME, 512 * KiB, 1).asSite("east");
            Generations west = new Generations(VOLUME, 512 * KiB, 2).asSite("west");

            GenerationAck first = apply(writer, east.generation(1, SyncMode.FULL, "blockferry-1", null,
                    data(0, 64 * KiB)));
            assertTrue(first.committed());
            assertEquals("east", first.sourceSite());
            assertArrayEquals(east.image(), replica(dir));

            // west's incremental names a base with the same name, but it is east's data
            GenerationAck refused = apply(writer, west.generation(2, SyncMode.INCREMENTAL, "blockferry-2",
                    "blockferry-1", data(128 * KiB, 64 * KiB)));
            assertFalse(refused.committed());
            assertEquals("source-site-conflict", refused.cause());
            assertEquals("west", refused.sourceSite(), "the rejection is addressed to the site that sent it");
            assertTrue(refused.reason().contains("east") && refused.reason().contains("west"), refused.reason());
            assertArrayEquals(east.image(), replica(dir), "east's point is untouched");

            // west's full generation is a complete disk of its own: taken, and said so
            GenerationAck full = apply(writer, west.generation(3, SyncMode.FULL, "blockferry-3", null,
                    data(0, 32 * KiB), data(256 * KiB, 32 * KiB)));
            assertTrue(full.committed());
            assertEquals("west", full.sourceSite());
            assertArrayEquals(west.image(), replica(dir));
            Event changed = events.stream().filter(e -> e.type().equals("source-site-changed")).findFirst()
                    .orElseThrow(() -> new AssertionError("a source-site-changed event: " + events));
            assertTrue(changed.message().contains("east") && changed.message().contains("west"), changed.message());

            // and now east's incremental is the one refused
            GenerationAck eastAgain = apply(writer, east.generation(4, SyncMode.INCREMENTAL, "blockferry-4",
                    "blockferry-3", data(0, 4 * KiB)));
            assertEquals("source-site-conflict", eastAgain.cause());
            assertEquals("east", eastAgain.sourceSite());
            assertArrayEquals(west.image(), replica(dir));
        }
    }

    private static GenerationAck apply(ChunkWriter writer, List<byte[]> frames) {
        GenerationAck last = null;
        for (byte[] frame : frames) {
            WriteOutcome outcome = writer.apply(frame);
            if (outcome != null && outcome.ack() != null) {
                last = outcome.ack();
            }
        }
        return last;
    }

    private static byte[] replica(Path dir) throws Exception {
        return Files.readAllBytes(dir.resolve("repository").resolve(URLEncoder.encode(VOLUME, StandardCharsets.UTF_8))
                .resolve("replica.img"));
    }
}
