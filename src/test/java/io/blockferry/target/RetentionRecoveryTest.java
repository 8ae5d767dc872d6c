package io.blockferry.target;

import static io.blockferry.target.TestDiffs.manifestEntries;
import static io.blockferry.target.TestDiffs.readManifest;
import static io.blockferry.target.TestDiffs.state;
import static io.blockferry.target.TestDiffs.w;
import static io.blockferry.target.TestDiffs.z;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.blockferry.events.Event;
import io.blockferry.store.Database;
import io.blockferry.target.TestDiffs.Rec;
import io.blockferry.transport.ChunkRecord;
import io.blockferry.transport.ManifestDigest;
import io.blockferry.transport.ManifestEntry;
import io.blockferry.transport.ManifestFile;
import io.blockferry.transport.SyncMode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retention on a real catalog and real point files: what pruning leaves is restorable, and a
 * crash at each step of a merge leaves a state that {@link Retention#recover()} finishes or undoes.
 */
class RetentionRecoveryTest {

    private static final String VOLUME = "volumes/disk1";
    private static final long SIZE = 256 << 10;

    @TempDir
    Path dir;
    private final Random random = new Random(3);
    private final List<Event> events = new ArrayList<>();
    private Database database;
    private Repository repository;
    private RecoveryPointCatalog catalog;

    @BeforeEach
    void open() {
        database = Database.open(dir.resolve("state/target"), RecoveryPointCatalog.SCHEMA);
        repository = new Repository(dir.resolve("repository"));
        repository.ensureDirectories(VOLUME);
        catalog = new RecoveryPointCatalog(database);
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void should_merge_older_points_into_one_full_point_that_restores_alone() throws Exception {
        point(1, null, "s1", 0, w(0, 64 << 10), z(64 << 10, 4096), w(128 << 10, 8192));
        point(2, "s1", "s2", 0, w(4096, 4096), w(128 << 10, 100));
        point(3, "s2", "s3", 1, z(0, 8192), w(200 << 10, 4096));
        byte[] expected = state(diff(1), diff(2), diff(3));

        Retention.Report report = retention(30).prune(VOLUME);

        assertEquals(List.of(1L, 2L), report.removed());
        assertEquals(List.of(3L), report.kept(), "the point's own keep-points (1) beats the default (30)");
        RecoveryPoint kept = catalog.committed(VOLUME).get(0);
        assertEquals("FULL", kept.mode());
        assertNull(kept.baseSnapshot());
        assertArrayEquals(expected, state(diff(3)));
        assertDescribedByItsManifest(kept);
        assertEquals(List.of("g000003.manifest", "g000003.rbddiff"), fileNames(),
                "the removed points' files and every merged file are gone");
        assertEquals("points-pruned", events.get(0).type());
        assertEquals(2L, events.get(0).counts().get("removed"));
    }

    @Test
    void should_forget_a_point_that_a_newer_full_point_supersedes_and_keep_all_with_zero() throws Exception {
        point(1, null, "s1", 0, w(0, 4096));
        point(2, null, "s2", 0, w(8192, 4096));
        point(3, "s2", "s3", 0, w(0, 100));
        byte[] fullBefore = Files.readAllBytes(diff(2));

        assertEquals(List.of(), retention(0).prune(VOLUME).removed(), "0 keeps every point");
        Retention.Report report = retention(2).prune(VOLUME);

        assertEquals(List.of(1L), report.removed());
        assertEquals(List.of(2L, 3L), generations());
        assertArrayEquals(fullBefore, Files.readAllBytes(diff(2)), "a superseded point goes without a merge");
        assertFalse(Files.exists(diff(1)));
        assertFalse(Files.exists(manifest(1)));
    }

    @Test
    void should_discard_a_merge_that_crashed_before_the_catalog_switched() throws Exception {
        setUpTwoPoints();
        byte[] expected = state(diff(1), diff(2));
        byte[] incremental = Files.readAllBytes(diff(2));
        DiffMerge.merge(diff(1), diff(2), repository.mergedDiff(VOLUME, 2), repository.mergedManifest(VOLUME, 2));
        try (FileChannel cut = FileChannel.open(repository.mergedDiff(VOLUME, 2), StandardOpenOption.WRITE)) {
            cut.truncate(cut.size() / 2); // as if the crash came while it was written
        }

        retention(30).recover();

        assertEquals(List.of(1L, 2L), generations());
        assertArrayEquals(incremental, Files.readAllBytes(diff(2)));
        assertArrayEquals(expected, state(diff(1), diff(2)));
        assertEquals(4, fileNames().size(), "only the two points' diffs and manifests: " + fileNames());
    }

    /**
     * A crash after the catalog switched (step 2), after the merged manifest moved (3a), or after
     * both merged files moved (3b): recovery ends with the merged point in place and alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"switched", "manifest-moved", "both-moved"})
    void should_finish_a_merge_that_crashed_after_the_catalog_switched(String step) throws Exception {
        setUpTwoPoints();
        byte[] expected = state(diff(1), diff(2));
        List<RecoveryPoint> points = catalog.committed(VOLUME);
        MergedDiff merged = DiffMerge.merge(diff(1), diff(2), repository.mergedDiff(VOLUME, 2),
                repository.mergedManifest(VOLUME, 2));
        catalog.mergeInto(points.get(0), points.get(1), merged);
        if (!step.equals("switched")) {
            Files.move(repository.mergedManifest(VOLUME, 2), manifest(2), StandardCopyOption.REPLACE_EXISTING);
        }
        if (step.equals("both-moved")) {
            Files.move(repository.mergedDiff(VOLUME, 2), diff(2), StandardCopyOption.REPLACE_EXISTING);
        }

        retention(30).recover();

        assertEquals(List.of(2L), generations());
        assertArrayEquals(expected, state(diff(2)));
        assertDescribedByItsManifest(catalog.committed(VOLUME).get(0));
        assertEquals(List.of("g000002.manifest", "g000002.rbddiff"), fileNames());
    }

    /** The first point has an empty base, as a full generation that came through Kafka has. */
    private void setUpTwoPoints() {
        point(1, "", "s1", 0, w(0, 16 << 10), z(16 << 10, 4096), w(64 << 10, 4096));
        point(2, "s1", "s2", 0, w(8 << 10, 16 << 10), w(70 << 10, 10));
    }

    private Retention retention(int defaultKeep) {
        Object lock = new Object();
        return new Retention(repository, catalog, volumeId -> new io.blockferry.target.file.FileReplica(repository, volumeId),
                volumeId -> lock, events::add, defaultKeep);
    }

    /** Writes a committed point: its diff, its manifest and its catalog row, as the writer leaves them. */
    private void point(long generation, String base, String snapshot, int keepPoints, Rec... records) {
        try {
            TestDiffs.write(diff(generation), base, snapshot, SIZE, random, records);
            ManifestDigest digest = new ManifestDigest();
            long dataBytes = 0;
            try (FileChannel out = FileChannel.open(manifest(generation), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                for (ManifestEntry entry : manifestEntries(diff(generation))) {
                    ManifestFile.append(out, entry);
                    digest.add(entry);
                    dataBytes += entry.zero() ? 0 : entry.length();
                }
            }
            SyncMode mode = base == null || base.isEmpty() ? SyncMode.FULL : SyncMode.INCREMENTAL;
            catalog.insertApplying(new ChunkRecord.Begin(VOLUME, generation, mode, "test", SIZE, 1 << 20, snapshot,
                    base, "id", 0, keepPoints), new ChunkRecord.End(VOLUME, generation, records.length + 1,
                    records.length, 0, dataBytes, 0, digest.finish()));
            catalog.markCommitted(VOLUME, generation);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The catalog's counts and digest of a point are those of its manifest, and the manifest lists its diff. */
    private void assertDescribedByItsManifest(RecoveryPoint point) throws IOException {
        List<ManifestEntry> entries = readManifest(manifest(point.generation()));
        assertEquals(manifestEntries(diff(point.generation())), entries);
        ManifestDigest digest = new ManifestDigest();
        entries.forEach(digest::add);
        assertEquals(HexFormat.of().formatHex(digest.finish()), point.manifestDigest());
        assertEquals(entries.stream().filter(e -> !e.zero()).mapToLong(ManifestEntry::length).sum(),
                point.dataBytes());
    }

    private List<Long> generations() {
        return catalog.committed(VOLUME).stream().map(RecoveryPoint::generation).toList();
    }

    private List<String> fileNames() {
        return repository.pointFiles(VOLUME).stream().map(p -> p.getFileName().toString()).toList();
    }

    private Path diff(long generation) {
        return repository.pointDiff(VOLUME, generation);
    }

    private Path manifest(long generation) {
        return repository.pointManifest(VOLUME, generation);
    }
}
