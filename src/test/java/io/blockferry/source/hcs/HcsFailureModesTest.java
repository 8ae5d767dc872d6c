package io.blockferry.source.hcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.changedblock.Extent;
import io.blockferry.events.Causes;
import io.blockferry.hcssim.HcsSim;
import io.blockferry.source.BlockReader;
import io.blockferry.source.ChainBrokenException;
import io.blockferry.source.ChangedBlocks;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The failure modes of the spec's §4.3 as the HCS backend meets them on the simulator: each is
 * brought about through the simulator's control plane, and the backend either goes on (a new
 * token, a new session) or fails with the typed error and leaves no temporary disk behind (or
 * one the next start's clean-up removes).
 */
class HcsFailureModesTest {

    private static final long MiB = 1L << 20;
    private static HcsSim sim;
    private HcsBlockSource source;
    private String volumeId;

    @BeforeAll
    static void startSimulator() {
        sim = HcsSim.start();
    }

    @AfterAll
    static void stopSimulator() {
        if (sim != null) {
            sim.close();
        }
    }

    @BeforeEach
    void disk() {
        sim.control("DELETE", "/faults", null);
        source = new HcsBlockSource(SimBackend.settings(sim));
        volumeId = sim.volume(8 * MiB, Map.of("name", "failure-modes")).path("id").asText();
        byte[] data = new byte[(int) MiB];
        new Random(5).nextBytes(data);
        sim.controlRaw("POST", "/volumes/" + volumeId + "/write?offset=" + MiB, data);
    }

    @AfterEach
    void clean() {
        sim.control("DELETE", "/faults", null);
        for (JsonNode job : sim.control("GET", "/jobs", null).path("jobs")) {
            if (job.path("stuck").asBoolean()) {
                sim.control("POST", "/jobs/" + job.path("job_id").asText() + "/release", null);
            }
        }
        // each test counts the temporary disks it leaves: none of another test's may stay
        for (JsonNode disk : sim.control("GET", "/temporary-disks", null).path("volumes")) {
            sim.controlRaw("DELETE", "/volumes/" + disk.path("id").asText(), null);
        }
        source.close();
    }

    private SourceVolume open() {
        return source.open(new VolumeId("hcs", sim.projectId, volumeId));
    }

    private static int temporaryDisks() {
        return sim.control("GET", "/temporary-disks", null).path("volumes").size();
    }

    private static byte[] readAll(BlockReader reader) {
        byte[] bytes = new byte[(int) reader.size()];
        reader.read(0, ByteBuffer.wrap(bytes));
        return bytes;
    }

    @Test
    void an_expired_iam_token_is_replaced_and_the_call_goes_on() {
        try (SourceVolume volume = open()) {
            volume.createSnapshot("before-expiry");
            sim.control("POST", "/iam/tokens/expire", null);
            volume.createSnapshot("after-expiry");
            assertEquals(List.of("before-expiry", "after-expiry"), volume.snapshots());
        }
        assertEquals(2, source.logins()[0], "one login, and one more after the APIG's 401");
    }

    @Test
    void a_lost_dorado_session_is_replaced_and_the_call_goes_on() {
        try (SourceVolume volume = open()) {
            assertEquals(8 * MiB, volume.size());
            sim.control("POST", "/dorado/sessions/drop", null);
            assertEquals(8 * MiB, volume.size(), "the -401 (HTTP 200) is answered with a new login");
        }
        assertEquals(2, source.logins()[1]);
    }

    @Test
    void a_failed_create_job_fails_the_read_with_its_code_and_leaves_no_disk() {
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            sim.control("POST", "/faults", Map.of("kind", "job_fail", "job_type", "create_volume",
                    "error_code", "EVS.2054"));
            HcsJobFailedException failed = assertThrows(HcsJobFailedException.class, () -> volume.readerAt("s1"));
            assertEquals("EVS.2054", failed.code());
            assertEquals(Causes.HCS_JOB_FAILED, failed.failureCause());
            assertEquals(0, temporaryDisks(), "the failed job's disk does not stay");
        }
    }

    @Test
    void a_failed_attach_job_removes_the_temporary_disk_it_made() {
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            sim.control("POST", "/faults", Map.of("kind", "job_fail", "job_type", "attach", "error_code", "Ecs.0017"));
            HcsJobFailedException failed = assertThrows(HcsJobFailedException.class, () -> volume.readerAt("s1"));
            assertEquals("Ecs.0017", failed.code());
            assertEquals(0, temporaryDisks(), "the disk made for the attach is deleted again");
            try (BlockReader reader = volume.readerAt("s1")) {
                assertEquals(sim.sha("snapshots", snapshotId("s1")), sha256(readAll(reader)), "the next read works");
            }
        }
    }

    @Test
    void an_attach_that_never_ends_times_out_and_the_next_start_removes_the_disk() throws Exception {
        HcsBlockSource impatient = new HcsBlockSource(SimBackend.settings(sim).withJobTimeout(Duration.ofSeconds(2)));
        try (SourceVolume volume = impatient.open(new VolumeId("hcs", sim.projectId, volumeId))) {
            volume.createSnapshot("s1");
            sim.control("POST", "/faults", Map.of("kind", "job_stuck", "job_type", "attach"));
            HcsJobFailedException failed = assertThrows(HcsJobFailedException.class, () -> volume.readerAt("s1"));
            assertTrue(failed.getMessage().contains("job-timeout"), "the error names the setting: " + failed);
        }
        assertEquals(1, temporaryDisks(), "a disk still attaching cannot be deleted now");
        // the stuck job ends some time later, as HCS's would: the disk is then attached to the proxy
        String stuck = null;
        for (JsonNode job : sim.control("GET", "/jobs", null).path("jobs")) {
            if (job.path("stuck").asBoolean()) {
                stuck = job.path("job_id").asText();
            }
        }
        sim.control("POST", "/jobs/" + stuck + "/release", null);
        String job = stuck;
        HcsSim.await(() -> sim.control("GET", "/jobs", null), jobs -> {
            for (JsonNode j : jobs.path("jobs")) {
                if (j.path("job_id").asText().equals(job)) {
                    return j.path("status").asText().equals("SUCCESS");
                }
            }
            return false;
        }, Duration.ofSeconds(20), "the released attach job");

        List<String> removed = new HcsBlockSource(SimBackend.settings(sim)).removeLeftovers();
        assertEquals(1, removed.size(), "the start-up clean-up names what it removed: " + removed);
        assertTrue(removed.get(0).contains("detached from the proxy and deleted"), removed.get(0));
        assertEquals(0, temporaryDisks());
        try (var files = Files.list(sim.deviceDir)) {
            assertEquals(1, files.count(), "only the proxy's boot disk is left in its device directory");
        }
    }

    @Test
    void a_reader_a_crash_never_closed_leaves_a_disk_the_next_start_removes_and_only_that_one() {
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            BlockReader crashed = volume.readerAt("s1");
            assertEquals(8 * MiB, crashed.size());
            assertEquals(1, temporaryDisks());
            // another proxy's temporary disk in the same project is not this proxy's to remove
            HcsSettings other = SimBackend.settings(sim).withProxy(sim.server("other-proxy", Map.of())
                    .path("server").path("id").asText());
            List<String> notMine = new HcsBlockSource(other).removeLeftovers();
            assertEquals(List.of(), notMine);
            List<String> removed = new HcsBlockSource(SimBackend.settings(sim)).removeLeftovers();
            assertEquals(1, removed.size(), removed.toString());
            assertTrue(removed.get(0).contains(TemporaryDisk.NAME_PREFIX), removed.get(0));
            assertEquals(0, temporaryDisks());
        }
    }

    @Test
    void a_proxy_without_a_free_disk_slot_is_an_attach_limit_and_so_is_ecs_0042() {
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            sim.control("POST", "/faults", Map.of("kind", "http_error", "op", "ecs.attach", "status", 400,
                    "code", "Ecs.0042", "message", "The number of attached data disks exceeds the maximum allowed limit."));
            AttachLimitException refused = assertThrows(AttachLimitException.class, () -> volume.readerAt("s1"));
            assertEquals(Causes.ATTACH_LIMIT, refused.failureCause());
            assertEquals(0, temporaryDisks(), "the disk made for the attach is deleted again");

            sim.settings(Map.of("max_disks_per_server", 1));
            try {
                AttachLimitException full = assertThrows(AttachLimitException.class, () -> volume.readerAt("s1"));
                assertTrue(full.getMessage().contains("free_disk"), "read before attaching: " + full);
                assertEquals(0, temporaryDisks(), "no disk is made when there is no slot for it");
            } finally {
                sim.settings(Map.of("max_disks_per_server", 24));
            }
        }
    }

    @Test
    void a_bitmap_against_a_base_the_array_lost_is_a_chain_break() {
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            volume.createSnapshot("s2");
            String baseLun = lunOf(snapshotId("s1"));
            sim.control("DELETE", "/luns/" + baseLun, null);
            ChainBrokenException broken = assertThrows(ChainBrokenException.class, () -> volume.changes("s1", "s2"));
            assertEquals(Causes.BASE_SNAPSHOT_MISSING, broken.failureCause());
            try (ChangedBlocks all = volume.changes(null, "s2")) {
                assertTrue(all.hasNext(), "the full listing (get_alloc) still answers");
            }
        }
    }

    @Test
    void every_bitmap_encoding_and_bit_order_gives_the_same_extents() {
        List<Extent> expected;
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            sim.writeOp(volumeId, Map.of("offset", 3 * MiB + 4096, "length", 69_632, "pattern", Map.of("seed", 9)));
            volume.createSnapshot("s2");
            expected = list(volume, "s1", "s2");
            assertEquals(List.of(new Extent(3 * MiB, 128 << 10, true)), expected,
                    "the two 64 KiB chunks the write touched");
        }
        String[][] variants = {{"HEX", "MSB_FIRST"}, {"BITCHARS", "MSB_FIRST"}, {"BASE64", "LSB_FIRST"}};
        try {
            for (String[] v : variants) {
                sim.settings(Map.of("bitmap_encoding", v[0], "bitmap_bit_order", v[1]));
                HcsSettings matching = SimBackend.settings(sim).withBitmap(HcsSettings.MAX_SEGMENT_BYTES,
                        HcsSettings.BitmapEncoding.valueOf(v[0]), v[1].equals("MSB_FIRST"), true);
                try (SourceVolume volume = new HcsBlockSource(matching).open(new VolumeId("hcs", sim.projectId,
                        volumeId))) {
                    assertEquals(expected, list(volume, "s1", "s2"), v[0] + " " + v[1]);
                }
                if (!v[0].equals("BASE64") || !v[1].equals("MSB_FIRST")) {
                    try (SourceVolume wrong = open()) {
                        List<Extent> misread = null;
                        try {
                            misread = list(wrong, "s1", "s2");
                        } catch (HcsException e) {
                            assertTrue(e.getMessage().contains("bitmap-encoding"), e.getMessage());
                        }
                        assertFalse(expected.equals(misread), "a wrong setting never reads as the right answer");
                    }
                }
            }
        } finally {
            sim.settings(Map.of("bitmap_encoding", "BASE64", "bitmap_bit_order", "MSB_FIRST"));
        }
    }

    @Test
    void small_segments_and_padded_last_chunks_list_the_same_extents_joined_across_segment_boundaries() {
        long odd = 3 * MiB + 1536;
        String disk = sim.volume(odd, Map.of("name", "segments")).path("id").asText();
        // one run across the 1 MiB segment boundary, and the partial last chunk
        sim.writeOp(disk, Map.of("offset", MiB - 8192, "length", 16384, "pattern", Map.of("seed", 11)));
        sim.writeOp(disk, Map.of("offset", odd - 1024, "length", 1024, "pattern", Map.of("seed", 12)));
        VolumeId id = new VolumeId("hcs", sim.projectId, disk);
        List<Extent> expected = List.of(new Extent(MiB - 65536, 131072, true), new Extent(3 * MiB, 1536, true));
        try (SourceVolume volume = source.open(id)) {
            volume.createSnapshot("s1");
            assertEquals(expected, list(volume, null, "s1"), "one segment of 256 MiB");
        }
        HcsSettings small = SimBackend.settings(sim).withBitmap(MiB, HcsSettings.BitmapEncoding.BASE64, true, true);
        try (SourceVolume volume = new HcsBlockSource(small).open(id)) {
            assertEquals(expected, list(volume, null, "s1"), "four segments of 1 MiB, the run joined across two");
        }
        sim.settings(Map.of("bitmap_last_chunk", "PAD"));
        try {
            HcsSettings padded = SimBackend.settings(sim).withBitmap(MiB, HcsSettings.BitmapEncoding.BASE64, true,
                    false);
            try (SourceVolume volume = new HcsBlockSource(padded).open(id)) {
                assertEquals(expected, list(volume, null, "s1"), "the padded last segment is clipped to the disk");
            }
        } finally {
            sim.settings(Map.of("bitmap_last_chunk", "CLIP"));
        }
    }

    @Test
    void a_snapshot_hcs_leaves_unactivated_is_activated_so_it_can_be_read_and_compared() {
        sim.settings(Map.of("auto_activate", false));
        try (SourceVolume volume = open()) {
            volume.createSnapshot("s1");
            try (BlockReader reader = volume.readerAt("s1")) {
                assertEquals(sim.sha("snapshots", snapshotId("s1")), sha256(readAll(reader)),
                        "a disk can be made from it (EVS refuses an unactivated one)");
            }
            try (ChangedBlocks all = volume.changes(null, "s1")) {
                assertTrue(all.hasNext(), "the array compares it (it refuses an unactivated one)");
            }
        } finally {
            sim.settings(Map.of("auto_activate", true));
        }
    }

    private static List<Extent> list(SourceVolume volume, String from, String to) {
        List<Extent> extents = new ArrayList<>();
        try (ChangedBlocks changed = volume.changes(from, to)) {
            changed.forEachRemaining(extents::add);
        }
        return extents;
    }

    private String snapshotId(String name) {
        sim.forgetToken(); // a test may have expired every token, the harness's too
        for (JsonNode s : sim.control("GET", "/volumes/" + volumeId, null).path("snapshots")) {
            JsonNode detail = sim.evs("GET", "/v2/{p}/cloudsnapshots/" + s.path("id").asText(), null).json();
            if (detail.path("snapshot").path("name").asText().equals(name)) {
                return s.path("id").asText();
            }
        }
        throw new AssertionError("no snapshot " + name);
    }

    private String lunOf(String snapshotId) {
        for (JsonNode s : sim.control("GET", "/volumes/" + volumeId, null).path("snapshots")) {
            if (s.path("id").asText().equals(snapshotId)) {
                return s.path("lun_id").asText();
            }
        }
        throw new AssertionError("no snapshot " + snapshotId);
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
