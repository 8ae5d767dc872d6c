package io.blockferry.target;

import static io.blockferry.target.TestDiffs.apply;
import static io.blockferry.target.TestDiffs.manifestEntries;
import static io.blockferry.target.TestDiffs.readManifest;
import static io.blockferry.target.TestDiffs.records;
import static io.blockferry.target.TestDiffs.state;
import static io.blockferry.target.TestDiffs.w;
import static io.blockferry.target.TestDiffs.z;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.target.TestDiffs.Rec;
import io.blockferry.testing.LocalCeph;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merge of two diffs against a reference: the image state computed here by applying the diffs
 * one after the other to a byte array must equal the state the merged diff alone gives.
 */
class DiffMergeTest {

    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;
    private final Random random = new Random(7);

    @Test
    void should_let_the_newer_diff_win_over_overlapping_adjacent_and_nested_records() throws Exception {
        Path older = diff("older", null, "s1", 64 << 10, w(0, 1000), w(2000, 1000), z(3000, 1000), w(5000, 4000),
                w(10_000, 1000));
        Path newer = diff("newer", "s1", "s2", 64 << 10, w(500, 1000), w(3000, 500), z(6000, 1000), w(9000, 500),
                w(10_000, 1000));

        MergedDiff merged = merge(older, newer);

        assertSameState(null, merged, older, newer);
        assertEquals(List.of(w(0, 500), w(500, 1000), w(2000, 1000), w(3000, 500), z(3500, 500), w(5000, 1000),
                z(6000, 1000), w(7000, 2000), w(9000, 500), w(10_000, 1000)), records(out()));
        assertEquals(8, merged.dataChunks());
        assertEquals(500 + 1000 + 1000 + 500 + 1000 + 2000 + 500 + 1000, merged.dataBytes());
        assertEquals(2, merged.zeroChunks());
        assertEquals(1500, merged.zeroBytes());
        try (RbdDiffCursor header = new RbdDiffCursor(out())) {
            assertNull(header.fromSnapshot(), "a full diff merged with its next is a full diff");
            assertEquals("s2", header.toSnapshot());
        }
    }

    @Test
    void should_drop_what_lies_beyond_a_shrunk_image_and_cut_a_record_across_the_new_end() throws Exception {
        Path older = diff("older", null, "s1", 10_000, w(0, 4000), w(4500, 1000), w(6000, 3000), z(9000, 1000));
        Path newer = diff("newer", "s1", "s2", 5000, w(100, 100));

        MergedDiff merged = merge(older, newer);

        assertSameState(null, merged, older, newer);
        assertEquals(List.of(w(0, 100), w(100, 100), w(200, 3800), w(4500, 500)), records(out()));
    }

    @Test
    void should_zero_what_a_grown_image_exposes_even_where_the_base_had_data() throws Exception {
        Path base = diff("base", null, "s0", 12L * MiB, w(0, 4 * MiB), w(4L * MiB, 4 * MiB), w(8L * MiB, 4 * MiB));
        Path older = diff("older", "s0", "s1", 2L * MiB, w(0, 100));
        Path newer = diff("newer", "s1", "s2", 12L * MiB, w(11L * MiB, 10));

        merge(older, newer);

        assertSameState(base, null, older, newer);
        List<Rec> records = records(out());
        assertEquals(List.of(w(0, 100), z(2L * MiB, 4 * MiB), z(6L * MiB, 4 * MiB), z(10L * MiB, MiB), w(11L * MiB, 10),
                z(11L * MiB + 10, MiB - 10)), records, "made-up zeros are cut at " + DiffMerge.MAX_ZERO + " bytes");
        try (RbdDiffCursor header = new RbdDiffCursor(out())) {
            assertEquals("s0", header.fromSnapshot(), "the merge starts where the older diff started");
        }
    }

    @Test
    void should_match_the_reference_for_random_diffs_and_chains_of_merges() throws Exception {
        for (int round = 0; round < 60; round++) {
            long sizeA = 1 + random.nextInt(64 << 10);
            long sizeB = round % 3 == 0 ? sizeA : 1 + random.nextInt(64 << 10);
            long sizeC = 1 + random.nextInt(64 << 10);
            Path a = diff("a", null, "s1", sizeA, randomRecords(sizeA));
            Path b = diff("b", "s1", "s2", sizeB, randomRecords(sizeB));
            Path c = diff("c", "s2", "s3", sizeC, randomRecords(sizeC));

            merge(a, b);
            Path ab = Files.move(out(), dir.resolve("ab"), StandardCopyOption.REPLACE_EXISTING);
            merge(ab, c);

            assertArrayEquals(state(a, b, c), state(out()), "round " + round);
            assertManifestDescribes(out());
        }
    }

    @Test
    void should_write_what_stock_rbd_merge_diff_writes() throws Exception {
        for (int round = 0; round < 5; round++) {
            long size = 32 << 10;
            Path older = diff("older", null, "s1", size, randomRecords(size));
            Path newer = diff("newer", "s1", "s2", size, randomRecords(size));
            Path stock = dir.resolve("stock.rbddiff");
            Files.deleteIfExists(stock);

            merge(older, newer);
            LocalCeph.rbd("merge-diff", "--no-progress", older.toString(), newer.toString(), stock.toString());

            assertArrayEquals(Files.readAllBytes(stock), Files.readAllBytes(out()), "round " + round);
        }
    }

    @Test
    void should_refuse_diffs_that_are_not_consecutive() throws Exception {
        Path older = diff("older", null, "s1", 4096, w(0, 10));
        Path newer = diff("newer", "s7", "s8", 4096, w(0, 10));

        IOException e = assertThrows(IOException.class, () -> merge(older, newer));
        assertTrue(e.getMessage().contains("not consecutive"), e.getMessage());
    }

    @Test
    void should_refuse_a_diff_whose_records_are_not_in_offset_order() throws Exception {
        Path older = diff("older", null, "s1", 4096, w(100, 10), w(0, 10));
        Path newer = diff("newer", "s1", "s2", 4096, w(0, 10));

        IOException e = assertThrows(IOException.class, () -> merge(older, newer));
        assertTrue(e.getMessage().contains("not in offset order"), e.getMessage());
    }

    private MergedDiff merge(Path older, Path newer) throws IOException {
        return DiffMerge.merge(older, newer, out(), dir.resolve("merged.manifest"));
    }

    private Path out() {
        return dir.resolve("merged.rbddiff");
    }

    /** Applying base, older and newer in turn gives the state that base and the merged diff give. */
    private void assertSameState(Path base, MergedDiff merged, Path older, Path newer) throws IOException {
        byte[] start = base == null ? new byte[0] : state(base);
        assertArrayEquals(apply(apply(start, older), newer), apply(start, out()));
        MergedDiff described = assertManifestDescribes(out());
        if (merged != null) {
            assertEquals(described.dataBytes(), merged.dataBytes());
            assertArrayEquals(described.manifestDigest(), merged.manifestDigest());
        }
    }

    /** The manifest lists the diff's records with their CRC32C; returns the totals and digest of it. */
    private MergedDiff assertManifestDescribes(Path diff) throws IOException {
        List<ManifestEntry> entries = readManifest(dir.resolve("merged.manifest"));
        assertEquals(manifestEntries(diff), entries);
        ManifestDigest digest = new ManifestDigest();
        entries.forEach(digest::add);
        long dataBytes = entries.stream().filter(e -> !e.zero()).mapToLong(ManifestEntry::length).sum();
        return new MergedDiff(0, 0, dataBytes, 0, digest.finish());
    }

    private Path diff(String name, String from, String to, long size, Rec... records) {
        return TestDiffs.write(dir.resolve(name + ".rbddiff"), from, to, size, random, records);
    }

    private Rec[] randomRecords(long size) {
        List<Rec> records = new ArrayList<>();
        long at = random.nextInt(64);
        while (at < size) {
            long length = Math.min(1 + random.nextInt(4096), size - at);
            records.add(new Rec(random.nextInt(3) > 0, at, length));
            at += length + (random.nextBoolean() ? 0 : random.nextInt(2048));
        }
        return records.toArray(new Rec[0]);
    }
}
