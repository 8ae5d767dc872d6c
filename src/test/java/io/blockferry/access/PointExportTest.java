package io.blockferry.access;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncOptions;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.RecoveryPoint;
import io.blockferry.target.Repository;
import io.blockferry.target.Retention;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Instant access against real Ceph, Kafka and nbdkit: an RBD image synced three times, each point
 * exported over NBD and read with Debian's nbdinfo and nbdcopy gives its source snapshot's SHA-256;
 * a writable export's writes reach no point; an exported point survives retention until closed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointExportTest {

    private static final int MiB = 1 << 20;
    private static final int KiB = 1 << 10;
    private static final long SIZE = 48L * MiB;
    private static final Duration WAIT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private BlockferryRuntime runtime;
    private TestImage image;
    private PointExports exports;
    private Repository repository;
    private final Map<Long, String> sourceSha = new HashMap<>();
    private final List<GenerationReport> synced = new ArrayList<>();
    private NbdExport newestOpen;

    @BeforeAll
    void start(@TempDir Path data) {
        int port = TestRuntimes.freePort();
        runtime = TestRuntimes.start(data, Map.of("blockferry.access.nbd-port-first", Integer.toString(port),
                "blockferry.access.nbd-port-last", Integer.toString(port + 40)));
        exports = Beans.of(runtime, "pointExports", PointExports.class);
        repository = runtime.writer().repository();
        image = new TestImage("volumes", "it-nbd-export", SIZE, 71);
        image.writeRandom(0, 8 * MiB);
        image.writeZeros(12L * MiB, MiB);
        image.writeRandom(20L * MiB, 2 * MiB);
        sync(null);
        image.writeRandom(MiB + 4 * KiB, 64 * KiB);
        image.writeZeros(20L * MiB, 512 * KiB);
        image.writeRandom(30L * MiB, 3 * MiB);
        image.discard(6L * MiB, MiB);
        sync(null);
        image.writeRandom(5L * MiB, 2 * MiB);
        image.writeRandom(47L * MiB, MiB);
        sync(null);
    }

    @AfterAll
    void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (image != null) {
            image.close();
        }
    }

    @Test
    @Order(1)
    void should_expose_the_newest_point_read_by_nbdinfo_and_nbdcopy_as_the_source_snapshot() throws Exception {
        GenerationReport newest = synced.get(2);
        // opened from a thread that ends at once, as a request thread of a pool may: the export outlives it
        java.util.concurrent.atomic.AtomicReference<NbdExport> opened = new java.util.concurrent.atomic.AtomicReference<>();
        Thread request = new Thread(() -> opened.set(exports.open(image.volumeId(), null, false)), "short-lived");
        request.start();
        request.join();
        newestOpen = opened.get();
        assertEquals(newest.generation(), newestOpen.generation());
        assertEquals(List.of(synced.get(0).generation(), synced.get(1).generation(), newest.generation()),
                newestOpen.chain(), "served from the chain of the last full point");
        assertTrue(newestOpen.uri().startsWith("nbd://127.0.0.1:"), newestOpen.uri());
        assertTrue(newestOpen.openMillis() < 10_000, "exposed in " + newestOpen.openMillis() + " ms");

        JsonNode info = JSON.readTree(run(List.of("nbdinfo", "--json", newestOpen.uri())));
        JsonNode export = info.path("exports").get(0);
        assertEquals(SIZE, export.path("export-size").asLong(), info.toString());
        assertTrue(export.path("is_read_only").asBoolean(false), "read-only: " + info);
        assertEquals(sourceSha.get(newest.generation()), nbdcopySha(newestOpen.uri()));
    }

    @Test
    @Order(2)
    void should_expose_older_points_without_copying_them() throws Exception {
        for (GenerationReport older : synced.subList(0, 2)) {
            NbdExport e = exports.open(image.volumeId(), older.generation(), false);
            try {
                assertEquals(older.generation(), e.generation());
                assertEquals(sourceSha.get(older.generation()), nbdcopySha(e.uri()), "point " + older.generation());
                assertEquals(sourceSha.get(older.generation()), mappedSha(e.uri()), "through nbdinfo's map too");
            } finally {
                exports.close(e.id());
            }
        }
        AccessException missing = assertThrows(AccessException.class, () -> exports.open(image.volumeId(), 99L, false));
        assertEquals(AccessException.Kind.NOT_FOUND, missing.kind());
    }

    @Test
    @Order(3)
    void should_keep_showing_the_point_it_opened_while_newer_generations_commit() throws Exception {
        image.writeRandom(0, 4 * MiB);
        image.writeRandom(40L * MiB, 2 * MiB);
        GenerationReport fourth = sync(null);
        assertEquals(sourceSha.get(fourth.generation()), Checksums.sha256(repository.replica(image.volumeId())),
                "the replica moved on");
        assertEquals(sourceSha.get(synced.get(2).generation()), nbdcopySha(newestOpen.uri()),
                "the export opened at point 3 still shows point 3");
        assertEquals(1, exports.list().size());
        exports.close(newestOpen.id());
        assertTrue(exports.list().isEmpty());
        assertTrue(exports.find(newestOpen.id()).isEmpty());
        assertThrows(IOException.class, () -> run(List.of("nbdinfo", newestOpen.uri())), "closed: nothing listens");
    }

    @Test
    @Order(4)
    void should_send_writes_of_a_writable_export_to_a_throwaway_overlay() throws Exception {
        Map<String, String> before = repositoryChecksums();
        GenerationReport second = synced.get(1);
        NbdExport writable = exports.open(image.volumeId(), second.generation(), true);
        assertTrue(writable.writable());
        byte[] written = new byte[MiB];
        new Random(7).nextBytes(written);
        Path source = Files.createTempFile("nbd-write", ".bin");
        Files.write(source, written);
        run(List.of("nbdcopy", "--flush", source.toString(), writable.uri()));
        byte[] readBack = java.util.Arrays.copyOf(all(writable.uri()), MiB);
        assertArrayEquals(written, readBack, "the export reads its own writes");
        assertNotEquals(sourceSha.get(second.generation()), nbdcopySha(writable.uri()));
        exports.close(writable.id());

        assertEquals(before, repositoryChecksums(), "no point file and not the replica changed");
        NbdExport again = exports.open(image.volumeId(), second.generation(), false);
        try {
            assertEquals(sourceSha.get(second.generation()), nbdcopySha(again.uri()), "the point is as it was");
            assertThrows(IOException.class, () -> run(List.of("nbdcopy", source.toString(), again.uri())),
                    "a read-only export refuses writes");
        } finally {
            exports.close(again.id());
            Files.delete(source);
        }
        assertEquals(before, repositoryChecksums());
    }

    @Test
    @Order(5)
    void should_keep_an_exported_point_from_retention_until_it_is_closed() throws Exception {
        Retention retention = Beans.of(runtime, "retention", Retention.class);
        long oldest = synced.get(0).generation();
        NbdExport pinned = exports.open(image.volumeId(), oldest, false);
        image.writeRandom(10L * MiB, MiB);
        GenerationReport fifth = sync(new SyncOptions("keep-two", 1, 2, 0, null, null));
        Retention.Report held = retention.prune(image.volumeId());
        assertTrue(held.removed().isEmpty(), "nothing removed while the oldest point is exported: " + held);
        assertEquals(5, generations().size(), "new generations committed, and every point kept: " + generations());
        assertTrue(generations().contains(oldest));
        assertEquals(sourceSha.get(oldest), nbdcopySha(pinned.uri()));

        exports.close(pinned.id());
        retention.prune(image.volumeId());
        Await.until(this::generations, g -> g.size() == 2, WAIT, "retention to keep two points once released");
        assertEquals(List.of(synced.get(3).generation(), fifth.generation()), generations());
        NbdExport merged = exports.open(image.volumeId(), synced.get(3).generation(), false);
        try {
            assertEquals(List.of(synced.get(3).generation()), merged.chain(), "merged into a full point");
            assertEquals(sourceSha.get(synced.get(3).generation()), nbdcopySha(merged.uri()));
        } finally {
            exports.close(merged.id());
        }
    }

    @Test
    @Order(6)
    void should_kill_the_nbdkit_a_killed_blockferry_left_at_the_next_start(@TempDir Path otherRepository)
            throws Exception {
        int first = TestRuntimes.freePort();
        PointExports.Config config = new PointExports.Config("127.0.0.1", first, Math.min(65535, first + 40), "nbdkit",
                Duration.ofSeconds(30));
        // an instance nobody closes, as a kill -9 leaves it: its nbdkit runs on
        Path root = otherRepository;
        PointExports killed = new PointExports(root, runtime.writer().catalog()::committed,
                p -> repository.pointDiff(p.volumeId(), p.generation()), runtime.writer()::lockOf, config);
        NbdExport left = killed.open(image.volumeId(), null, false);
        ProcessHandle nbdkit = ProcessHandle.of(left.pid()).orElseThrow();
        assertTrue(nbdkit.isAlive());

        PointExports next = new PointExports(root, runtime.writer().catalog()::committed,
                p -> repository.pointDiff(p.volumeId(), p.generation()), runtime.writer()::lockOf, config);
        assertEquals(1, next.leftoversRemoved().size(), next.leftoversRemoved().toString());
        assertTrue(next.leftoversRemoved().get(0).contains("pid " + left.pid()), next.leftoversRemoved().toString());
        Await.until(nbdkit::isAlive, alive -> !alive, Duration.ofSeconds(20), "the left nbdkit to be killed");
        try (Stream<Path> dirs = Files.list(root.resolve(".exports"))) {
            assertEquals(0, dirs.count(), "its links went");
        }
        next.close();
    }

    private GenerationReport sync(SyncOptions options) {
        GenerationReport report = runtime.sync(options == null ? SyncRequest.incremental(image.volumeId(), "test")
                : new SyncRequest(image.volumeId(), false, "test", options));
        report.awaitCommitted(WAIT);
        sourceSha.put(report.generation(), LocalCeph.exportSha256(image.pool, image.name, report.snapshot()));
        synced.add(report);
        return report;
    }

    private List<Long> generations() {
        return runtime.writer().catalog().committed(image.volumeId()).stream().map(RecoveryPoint::generation).toList();
    }

    /** SHA-256 of the replica and of every file in the volume's points directory. */
    private Map<String, String> repositoryChecksums() throws IOException {
        Map<String, String> sums = new LinkedHashMap<>();
        sums.put("replica.img", Checksums.sha256(repository.replica(image.volumeId())));
        for (Path f : repository.pointFiles(image.volumeId())) {
            sums.put(f.getFileName().toString(), Checksums.sha256(f));
        }
        return sums;
    }

    /** The SHA-256 of what {@code nbdcopy URI -} streams. */
    static String nbdcopySha(String uri) throws Exception {
        Process p = new ProcessBuilder("nbdcopy", uri, "-").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "nbdcopy " + uri);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** What the export holds, whole (the test disk is small). */
    private static byte[] all(String uri) throws Exception {
        Process p = new ProcessBuilder("nbdcopy", uri, "-")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] data;
        try (InputStream in = p.getInputStream()) {
            data = in.readAllBytes();
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return data;
    }

    /**
     * The SHA-256 of the export rebuilt from {@code nbdinfo --map}: data extents read with nbdcopy,
     * zero and hole extents as zeros. Checks that the extents the export reports are true.
     */
    private static String mappedSha(String uri) throws Exception {
        JsonNode map = JSON.readTree(run(List.of("nbdinfo", "--map", "--json", uri)));
        byte[] all = all(uri);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long covered = 0;
        for (JsonNode extent : map) {
            long offset = extent.path("offset").asLong();
            long length = extent.path("length").asLong();
            assertEquals(covered, offset, "extents are contiguous");
            if ((extent.path("type").asInt() & 2) != 0) {
                for (long i = offset; i < offset + length; i++) {
                    if (all[(int) i] != 0) {
                        throw new AssertionError("extent at " + offset + " said zero but byte " + i + " is not");
                    }
                }
            }
            sha.update(all, (int) offset, (int) length);
            covered += length;
        }
        assertEquals(SIZE, covered);
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }
}
