package io.blockferry.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RbdDiffFileTest {

    @Test
    void should_name_the_snapshots_of_a_diff_in_its_header(@TempDir Path dir) throws Exception {
        Path incremental = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(incremental, "s1", "s2", 12_000)) {
            w.data(1, new byte[] {7});
            w.zero(9_998, 1);
            w.end();
        }
        assertEquals("s2", RbdDiffReader.toSnapshot(incremental));
        assertEquals("s1", RbdDiffReader.fromSnapshot(incremental));
    }

    @Test
    void should_refuse_records_that_go_back(@TempDir Path dir) throws Exception {
        Path diff = dir.resolve("back.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(diff, null, "s1", 100)) {
            w.data(50, new byte[] {1});
            w.data(10, new byte[] {2});
            w.end();
        }
        try (RbdDiffCursor cursor = new RbdDiffCursor(diff)) {
            cursor.next();
            java.io.IOException e = assertThrows(java.io.IOException.class, cursor::next);
            assertEquals(true, e.getMessage().contains("not in offset order"), e.getMessage());
        }
    }
}
