package io.blockferry.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.Repository;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
 * File-level restore against real Ceph, Kafka, nbdkit, nbdfuse, loop devices and the kernel's ext4
 * and XFS drivers: a GPT disk with an ext4 and an XFS partition made by mkfs, files written through
 * a real read-write mount, put into an RBD image and synced; the files changed and synced again.
 * Each point lists and serves its own version of the files through the REST API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FileRestoreTest {

    private static final int MiB = 1 << 20;
    private static final long SIZE = 416L * MiB;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String TOKEN = "file-restore-test-token";
    private static final String IMAGE = "it-file-restore";

    private BlockferryRuntime runtime;
    private TestImage image;
    private ApiClient api;
    private int port;
    private Path work;
    private Path disk;
    private final List<GenerationReport> points = new ArrayList<>();
    /** Per point: path -> SHA-256 of its content. */
    private final List<Map<String, String>> expected = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start(@TempDir Path data, @TempDir Path scratch) throws Exception {
        work = scratch;
        port = TestRuntimes.freePort();
        int nbd = TestRuntimes.freePort();
        runtime = TestRuntimes.start(data, Map.of("camel.server.enabled", "true",
                "camel.server.port", Integer.toString(port), "blockferry.api.token", TOKEN,
                "blockferry.access.nbd-port-first", Integer.toString(nbd),
                "blockferry.access.nbd-port-last", Integer.toString(Math.min(65535, nbd + 40))));
        api = new ApiClient(port, TOKEN);

        disk = work.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(SIZE);
        }
        // ext4, XFS (300 MiB at least for mkfs.xfs) and NTFS (Debian's ntfs-3g)
        sh("sgdisk", "-n1:2048:+32M", "-t1:8300", "-c1:root", "-n2:0:+320M", "-t2:8300", "-c2:data", "-n3:0:0",
                "-t3:0700", "-c3:windows", disk.toString());
        withPartitions((p1, p2, p3) -> {
            sh("mkfs.ext4", "-q", "-F", p1);
            sh("mkfs.xfs", "-q", "-f", p2);
            sh("mkntfs", "-Q", "-F", "-q", p3);
        });
        Map<String, String> v1 = new LinkedHashMap<>();
        mounted((m1, m2, m3) -> {
            Files.createDirectories(m3.resolve("Users"));
            v1.put("/p3/Users/report.txt", write(m3.resolve("Users/report.txt"),
                    "ntfs, version one\n".getBytes(StandardCharsets.UTF_8)));
            Files.createDirectories(m1.resolve("etc"));
            v1.put("/p1/etc/hostname", write(m1.resolve("etc/hostname"), "alpha-v1\n".getBytes(StandardCharsets.UTF_8)));
            Files.createDirectories(m1.resolve("data"));
            v1.put("/p1/data/big.bin", write(m1.resolve("data/big.bin"), random(3 * MiB + 123, 1)));
            Files.createSymbolicLink(m1.resolve("link-out"), Path.of("/etc/passwd"));
            Files.createSymbolicLink(m1.resolve("link-up"), Path.of("../../../.."));
            Files.createSymbolicLink(m1.resolve("hostname-link"), Path.of("etc/hostname"));
            Files.createDirectories(m2.resolve("docs"));
            v1.put("/p2/docs/readme.txt", write(m2.resolve("docs/readme.txt"), "version one\n".getBytes(StandardCharsets.UTF_8)));
            v1.put("/p2/docs/notes.bin", write(m2.resolve("docs/notes.bin"), random(MiB, 2)));
        });
        image = new TestImage("volumes", IMAGE, SIZE, 5);
        copyChangedChunks(null);
        Path previous = work.resolve("disk-v1.img");
        sh("cp", "--sparse=always", disk.toString(), previous.toString());
        sync();
        expected.add(v1);

        Map<String, String> v2 = new LinkedHashMap<>(v1);
        mounted((m1, m2, m3) -> {
            v2.put("/p3/Users/report.txt", write(m3.resolve("Users/report.txt"),
                    "ntfs, version two\n".getBytes(StandardCharsets.UTF_8)));
            v2.put("/p1/etc/hostname", write(m1.resolve("etc/hostname"), "bravo-v2\n".getBytes(StandardCharsets.UTF_8)));
            v2.put("/p1/data/big.bin", write(m1.resolve("data/big.bin"), random(2 * MiB + 7, 3)));
            Files.delete(m2.resolve("docs/notes.bin"));
            v2.remove("/p2/docs/notes.bin");
            v2.put("/p2/docs/readme.txt", write(m2.resolve("docs/readme.txt"), "version two, longer\n".getBytes(StandardCharsets.UTF_8)));
            v2.put("/p2/docs/new.txt", write(m2.resolve("docs/new.txt"), "only in point two\n".getBytes(StandardCharsets.UTF_8)));
        });
        copyChangedChunks(previous);
        sync();
        expected.add(v2);
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
    void should_list_the_partitions_and_filesystems_of_a_point() {
        long began = System.nanoTime();
        ApiClient.Answer top = api.get(files(points.get(1).generation(), "/"));
        long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertEquals(200, top.status(), top.body().toString());
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode e : top.body().path("entries")) {
            types.put(e.path("name").asText(), e.path("filesystem").asText());
        }
        assertEquals(Map.of("p1", "ext4", "p2", "xfs", "p3", "ntfs"), types, top.body().toString());
        began = System.nanoTime();
        ApiClient.Answer again = api.get(files(points.get(1).generation(), "/p1"));
        long secondMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
        assertEquals(200, again.status());
        FileBrowser browser = Beans.of(runtime, "fileBrowser", FileBrowser.class);
        assertEquals(1, browser.sessions().size(), "one session, reused: " + browser.sessions());
        System.out.printf("FileRestoreTest: mount and list / in %d ms (session %d ms), list /p1 again in %d ms%n",
                firstMillis, browser.sessions().get(0).mountMillis(), secondMillis);
        PointExports exports = Beans.of(runtime, "pointExports", PointExports.class);
        assertTrue(exports.pinned(image.volumeId(), points.get(1).generation()), "the mounted point is pinned");
    }

    @Test
    @Order(2)
    void should_list_and_fetch_each_points_own_version_of_the_files() throws Exception {
        for (int i = 0; i < points.size(); i++) {
            long gen = points.get(i).generation();
            for (Map.Entry<String, String> f : expected.get(i).entrySet()) {
                HttpResponse<InputStream> r = content(gen, f.getKey());
                assertEquals(200, r.statusCode(), "point " + gen + " " + f.getKey());
                assertEquals("application/octet-stream", r.headers().firstValue("Content-Type").orElse(""));
                assertEquals(f.getValue(), sha(r.body()), "point " + gen + " " + f.getKey());
            }
            ApiClient.Answer docs = api.get(files(gen, "/p2/docs"));
            assertEquals(200, docs.status(), docs.body().toString());
            List<String> names = new ArrayList<>();
            docs.body().path("entries").forEach(e -> names.add(e.path("name").asText()));
            assertEquals(i == 0 ? List.of("notes.bin", "readme.txt") : List.of("new.txt", "readme.txt"), names);
            JsonNode readme = docs.body().path("entries").get(names.indexOf("readme.txt"));
            assertEquals("file", readme.path("type").asText());
            assertEquals(i == 0 ? 12 : 20, readme.path("size").asLong());
            assertFalse(readme.path("mtime").asText().isEmpty());
            assertEquals(4, readme.path("mode").asText().length(), readme.toString());
        }
        // the newest, by "latest", is point 2
        HttpResponse<InputStream> latest = content(-1, "/p1/etc/hostname");
        assertEquals(expected.get(1).get("/p1/etc/hostname"), sha(latest.body()));
    }

    @Test
    @Order(2)
    void should_fetch_a_directory_as_a_tar_of_each_points_own_files(@TempDir Path out) throws Exception {
        for (int i = 0; i < points.size(); i++) {
            long gen = points.get(i).generation();
            HttpResponse<InputStream> r = content(gen, "/p2/docs");
            assertEquals(200, r.statusCode());
            assertEquals("application/x-tar", r.headers().firstValue("Content-Type").orElse(""));
            Path into = Files.createDirectories(out.resolve("point-" + gen));
            Path archive = into.resolve("docs.tar");
            try (InputStream in = r.body()) {
                Files.copy(in, archive);
            }
            Process tar = new ProcessBuilder("tar", "-x", "-f", archive.toString(), "-C", into.toString())
                    .redirectErrorStream(true).start();
            assertEquals(0, tar.waitFor(), new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            int compared = 0;
            for (Map.Entry<String, String> f : expected.get(i).entrySet()) {
                if (f.getKey().startsWith("/p2/docs/")) {
                    Path file = into.resolve(f.getKey().substring("/p2/".length()));
                    try (InputStream in = Files.newInputStream(file)) {
                        assertEquals(f.getValue(), sha(in), "point " + gen + " " + f.getKey() + " from the tar");
                    }
                    compared++;
                }
            }
            assertTrue(compared > 0, "the point has files under /p2/docs: " + expected.get(i).keySet());
        }
        // a link out of the filesystem goes into the archive as a link, never as what it points to
        HttpResponse<InputStream> whole = content(points.get(0).generation(), "/p1");
        Path archive = out.resolve("p1.tar");
        try (InputStream in = whole.body()) {
            Files.copy(in, archive);
        }
        Process list = new ProcessBuilder("tar", "-tvf", archive.toString()).redirectErrorStream(true).start();
        String listing = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, list.waitFor(), listing);
        assertTrue(listing.lines().anyMatch(l -> l.startsWith("l") && l.contains("p1/link-out -> /etc/passwd")),
                listing);
    }

    @Test
    @Order(3)
    void should_list_symlinks_and_never_follow_them_out_of_the_filesystem() throws Exception {
        long gen = points.get(0).generation();
        ApiClient.Answer root = api.get(files(gen, "/p1"));
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        root.body().path("entries").forEach(e -> byName.put(e.path("name").asText(), e));
        assertEquals("symlink", byName.get("link-out").path("type").asText());
        assertEquals("/etc/passwd", byName.get("link-out").path("target").asText());
        assertEquals("dir", byName.get("etc").path("type").asText());
        assertEquals(403, content(gen, "/p1/link-out").statusCode(), "a link out of the filesystem is refused");
        assertEquals(403, api.get(files(gen, "/p1/link-up/etc")).status());
        HttpResponse<InputStream> inside = content(gen, "/p1/hostname-link");
        assertEquals(200, inside.statusCode(), "a link inside the filesystem is served");
        assertEquals(expected.get(0).get("/p1/etc/hostname"), sha(inside.body()));
    }

    @Test
    @Order(4)
    void should_answer_404_for_a_missing_path_and_refuse_dot_dot() throws Exception {
        long first = points.get(0).generation();
        long second = points.get(1).generation();
        ApiClient.Answer gone = api.get(files(second, "/p2/docs/notes.bin"));
        assertEquals(404, gone.status(), gone.body().toString());
        String message = gone.body().path("error").asText();
        assertTrue(message.contains("/p2/docs/notes.bin") && message.contains("point " + second), message);
        HttpResponse<InputStream> missing = content(first, "/p2/docs/new.txt");
        assertEquals(404, missing.statusCode());
        String body = new String(missing.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(body.contains("/p2/docs/new.txt") && body.contains("point " + first), body);
        assertEquals(404, api.get(files(first, "/p9")).status());
        assertEquals(404, api.get(files(99, "/")).status(), "no such point");
        ApiClient.Answer dotdot = api.get(files(first, "/p1/../../etc"));
        assertEquals(403, dotdot.status(), dotdot.body().toString());
        assertEquals(403, content(first, "/p1/etc/../../../../etc/passwd").statusCode());
        assertEquals(400, content(first, "/").statusCode(), "/ holds the filesystems: fetch one of them");
    }

    @Test
    @Order(5)
    void should_unmount_an_idle_session_and_clean_what_a_killed_blockferry_left(@TempDir Path otherRepository)
            throws Exception {
        Repository repository = runtime.writer().repository();
        int first = TestRuntimes.freePort();
        PointExports.Config config = new PointExports.Config("127.0.0.1", first, Math.min(65535, first + 40), "nbdkit",
                Duration.ofSeconds(30));
        PointExports exports = new PointExports(otherRepository, runtime.writer().catalog()::committed,
                p -> repository.pointDiff(p.volumeId(), p.generation()), runtime.writer()::lockOf, config);
        FileBrowser idle = new FileBrowser(otherRepository, exports, runtime.writer().catalog()::committed,
                new FileBrowser.Config(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        try {
            assertEquals(3, idle.list(image.volumeId(), points.get(0).generation(), "/").entries().size());
            assertEquals(1, exports.list().size());
            Await.until(idle::sessions, List::isEmpty, Duration.ofSeconds(30), "the idle session to be unmounted");
            assertTrue(exports.list().isEmpty(), "its export closed, its point released");
            assertTrue(HostCommands.mountsUnder(otherRepository.toRealPath()).isEmpty());
        } finally {
            idle.close(); // unmounts what a failed assertion would leave in the temporary directory
        }

        Path browse = otherRepository.toRealPath().resolve(".browse");
        try {
            leftBehind(otherRepository, browse, repository, config, exports);
        } finally {
            BrowseLeftovers.clean(browse); // nothing stays mounted in the temporary directory
            exports.close();
        }
    }

    private void leftBehind(Path otherRepository, Path browse, Repository repository, PointExports.Config config,
                            PointExports exports) throws Exception {
        // an instance nobody closes, as a kill -9 leaves it: its mounts, loops and nbdfuse stay
        FileBrowser killed = new FileBrowser(otherRepository, exports, runtime.writer().catalog()::committed,
                new FileBrowser.Config(Duration.ofMinutes(10), Duration.ofSeconds(30)));
        FileBrowser.Content open = killed.open(image.volumeId(), points.get(1).generation(), "/p1/etc/hostname");
        assertEquals(expected.get(1).get("/p1/etc/hostname"), sha(open.stream()));
        assertEquals(4, HostCommands.mountsUnder(browse).size(), "p1, p2, p3 and nbdfuse: " + HostCommands.mountsUnder(browse));
        assertEquals(3, HostCommands.loopsUnder(browse).size());
        long nbdfuse;
        try (Stream<Path> dirs = Files.list(browse)) {
            nbdfuse = Long.parseLong(Files.readString(dirs.findFirst().orElseThrow().resolve("nbdfuse.pid")).strip());
        }
        assertTrue(ProcessHandle.of(nbdfuse).isPresent());

        PointExports nextExports = new PointExports(otherRepository, runtime.writer().catalog()::committed,
                p -> repository.pointDiff(p.volumeId(), p.generation()), runtime.writer()::lockOf, config);
        FileBrowser next = new FileBrowser(otherRepository, nextExports, runtime.writer().catalog()::committed,
                new FileBrowser.Config(Duration.ofMinutes(10), Duration.ofSeconds(30)));
        System.out.println("FileRestoreTest: left by a killed instance and removed: " + next.leftoversRemoved());
        assertTrue(HostCommands.mountsUnder(browse).isEmpty(), "mounts gone: " + HostCommands.mountsUnder(browse));
        assertTrue(HostCommands.loopsUnder(browse).isEmpty(), "loop devices gone");
        Await.until(() -> ProcessHandle.of(nbdfuse).map(ProcessHandle::isAlive).orElse(false), alive -> !alive,
                Duration.ofSeconds(20), "nbdfuse to end");
        try (Stream<Path> dirs = Files.list(browse)) {
            assertEquals(0, dirs.count(), "its directory went");
        }
        assertTrue(next.leftoversRemoved().stream().anyMatch(l -> l.startsWith("loop device")), next.leftoversRemoved().toString());
        next.close();
        nextExports.close();
    }

    @Test
    @Order(6)
    void should_mount_again_when_the_sessions_export_was_closed_from_outside() {
        FileBrowser browser = Beans.of(runtime, "fileBrowser", FileBrowser.class);
        PointExports exports = Beans.of(runtime, "pointExports", PointExports.class);
        long gen = points.get(0).generation();
        assertEquals(200, api.get(files(gen, "/p1/etc")).status());
        FileBrowser.SessionInfo before = browser.sessions().stream().filter(x -> x.generation() == gen).findFirst()
                .orElseThrow();
        exports.close(before.exportId()); // an operator's blockferry unmount of the session's export
        ApiClient.Answer again = api.get(files(gen, "/p1/etc"));
        assertEquals(200, again.status(), again.body().toString());
        FileBrowser.SessionInfo after = browser.sessions().stream().filter(x -> x.generation() == gen).findFirst()
                .orElseThrow();
        assertFalse(before.id().equals(after.id()), "a new session: " + before + " then " + after);
        assertTrue(exports.find(after.exportId()).isPresent());
    }

    // ------------------------------------------------------------------ helpers

    private String files(long gen, String path) {
        return "/api/volumes/volumes/" + IMAGE + "/points/" + (gen < 0 ? "latest" : gen) + "/files?path="
                + URLEncoder.encode(path, StandardCharsets.UTF_8);
    }

    private HttpResponse<InputStream> content(long gen, String path) throws Exception {
        String url = "http://127.0.0.1:" + port + "/api/volumes/" + URLEncoder.encode("volumes/" + IMAGE,
                StandardCharsets.UTF_8) + "/points/" + (gen < 0 ? "latest" : gen) + "/files/content?path="
                + URLEncoder.encode(path, StandardCharsets.UTF_8);
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    private void sync() {
        GenerationReport report = runtime.sync(SyncRequest.incremental(image.volumeId(), "test"));
        report.awaitCommitted(WAIT);
        points.add(report);
    }

    /** Writes the disk's 1 MiB chunks that differ from previous (null: that are not all zeros) into the RBD image. */
    private void copyChangedChunks(Path previous) throws IOException {
        byte[] zeros = new byte[MiB];
        try (RandomAccessFile now = new RandomAccessFile(disk.toFile(), "r");
             RandomAccessFile before = previous == null ? null : new RandomAccessFile(previous.toFile(), "r")) {
            byte[] a = new byte[MiB];
            byte[] b = new byte[MiB];
            for (long off = 0; off < SIZE; off += MiB) {
                now.seek(off);
                now.readFully(a);
                if (before == null) {
                    System.arraycopy(zeros, 0, b, 0, MiB);
                } else {
                    before.seek(off);
                    before.readFully(b);
                }
                if (!Arrays.equals(a, b)) {
                    image.write(off, a.clone());
                }
            }
        }
    }

    private interface PartitionWork {
        void run(String p1, String p2, String p3) throws Exception;
    }

    private interface MountWork {
        void run(Path m1, Path m2, Path m3) throws Exception;
    }

    /** Attaches the two partitions of the disk file as loop devices (read-write) for the work. */
    private void withPartitions(PartitionWork work) throws Exception {
        List<String> devices = new ArrayList<>();
        try {
            for (String line : sh("partx", "-g", "-o", "NR,START,SECTORS", disk.toString()).strip().split("\n")) {
                String[] f = line.strip().split("\\s+");
                devices.add(sh("losetup", "--find", "--show", "--offset", Long.toString(Long.parseLong(f[1]) * 512),
                        "--sizelimit", Long.toString(Long.parseLong(f[2]) * 512), disk.toString()).strip());
            }
            assertEquals(3, devices.size());
            work.run(devices.get(0), devices.get(1), devices.get(2));
        } finally {
            for (String d : devices) {
                sh("losetup", "--detach", d);
            }
        }
    }

    /** Mounts both partitions read-write, runs the work, unmounts. */
    private void mounted(MountWork work) throws Exception {
        withPartitions((p1, p2, p3) -> {
            Path m1 = Files.createDirectories(this.work.resolve("m1"));
            Path m2 = Files.createDirectories(this.work.resolve("m2"));
            Path m3 = Files.createDirectories(this.work.resolve("m3"));
            sh("mount", p1, m1.toString());
            try {
                sh("mount", p2, m2.toString());
                try {
                    sh("ntfs-3g", p3, m3.toString());
                    try {
                        work.run(m1, m2, m3);
                    } finally {
                        sh("umount", m3.toString());
                    }
                } finally {
                    sh("umount", m2.toString());
                }
            } finally {
                sh("umount", m1.toString());
            }
        });
    }


    private static String write(Path file, byte[] content) throws Exception {
        Files.write(file, content);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha(InputStream in) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sh(String... command) throws IOException, InterruptedException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().put("PATH", b.environment().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }
}
