package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.ApiClient;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.transport.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The restore plan executed for real: a server booted from a volume, with a data volume of another
 * type, is synced (a full then an incremental point per disk), its metadata published, and
 * POST /api/servers/{id}/restore rebuilds it in the same OpenStack from the target's repository.
 * (In this package for TestCloud, the test's OpenStack client.)
 */
@Tag("openstack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenStackRestoreTest {

    private static final Duration POLLED = Duration.ofMinutes(3);
    private static final Duration ACK = Duration.ofMinutes(3);
    private static final String TOKEN = "it-restore-token";

    private final String prefix = "bf-restore-it-" + UUID.randomUUID().toString().substring(0, 8);
    private TestCloud demo;
    private BlockferryRuntime runtime;
    private ApiClient api;
    private String server;
    /** Source image spec → SHA-256 of the snapshot of its last synced point, in boot order. */
    private final Map<String, String> synced = new LinkedHashMap<>();
    private final List<String> originalVolumes = new ArrayList<>();

    @BeforeAll
    void createServerSyncAndPublish() throws Exception {
        demo = TestCloud.demo();
        String boot = demo.createVolume(prefix + "-boot", "ceph-ssd", 1, demo.imageId("cirros-fake"));
        String data = demo.createVolume(prefix + "-data", "ceph-hdd", 1, null);
        originalVolumes.addAll(List.of(boot, data));
        demo.awaitVolume(boot, "available");
        demo.awaitVolume(data, "available");
        server = demo.bootFromVolume(prefix + "-bfv", demo.flavorId("bf.small"), boot);
        demo.awaitServer(server, "ACTIVE");
        demo.attach(server, data);
        demo.tag(server, "restore-me");

        Path dir = Files.createTempDirectory("bf-restore-it");
        int port = TestRuntimes.freePort();
        api = new ApiClient(port, TOKEN);
        Map<String, String> s = new HashMap<>(demo.openrc);
        s.put("blockferry.openstack.enabled", "true");
        s.put("blockferry.openstack.pools", "ceph-ssd=volumes,ceph-hdd=volumes-hdd,CEPH_GLANCE_VMS=vms");
        s.put("blockferry.openstack.poll-interval", "3s");
        s.put("blockferry.restore.rbd-command", "rbd --conf " + LocalCeph.conf() + " --id admin");
        s.put("blockferry.restore.pools", "ceph-ssd=volumes,ceph-hdd=volumes-hdd");
        s.put("camel.server.enabled", "true");
        s.put("camel.server.port", Integer.toString(port));
        s.put("blockferry.api.token", TOKEN);
        runtime = TestRuntimes.start(dir, s);
        List<MappedDisk> disks = Await.until(() -> Beans.inventory(runtime).mapping().disksOf(server), d -> d.size() == 2,
                POLLED, "the inventory to map the server's two disks");

        long seed = 7;
        for (MappedDisk disk : disks) {
            try (TestImage image = TestImage.existing(disk.pool(), disk.image(), seed++)) {
                image.writeRandom(0, 3 << 20);
                sync(disk.imageSpec(), SyncMode.FULL);
                // A second, incremental point: the restore must apply a chain, not just one file.
                image.writeRandom(5 << 20, 1 << 20);
                image.writeRandom(300 << 20, 2 << 20);
                GenerationReport last = sync(disk.imageSpec(), SyncMode.INCREMENTAL);
                synced.put(disk.imageSpec(), LocalCeph.exportSha256(disk.pool(), disk.image(), last.snapshot()));
            }
        }
        Beans.publishMetadata(runtime, server);
        Await.until(() -> api.get("/api/servers/" + server + "/metadata").body(), r -> r.path("metadata").path("disks").size() == 2,
                POLLED, "the target to store the server's metadata");
    }

    private GenerationReport sync(String imageSpec, SyncMode expected) {
        GenerationReport report = runtime.sync(SyncRequest.incremental(imageSpec, "test"));
        assertEquals(expected, report.mode(), imageSpec);
        report.awaitCommitted(ACK);
        return report;
    }

    @AfterAll
    void cleanUp() {
        if (runtime != null) {
            runtime.close();
        }
        if (demo != null) {
            // Whatever the restore made, also when it failed half way; an image left with import
            // snapshots would make Cinder refuse the delete.
            demo.adoptByPrefix(prefix);
            for (JsonNode v : demo.api.get("volumev3", "/volumes").path("volumes")) {
                String id = v.path("id").asText();
                if (v.path("name").asText().startsWith(prefix) && !originalVolumes.contains(id)) {
                    for (String pool : List.of("volumes", "volumes-hdd")) {
                        try {
                            LocalCeph.rbd("snap", "purge", pool + "/volume-" + id);
                        } catch (RuntimeException ignored) {
                            // not in this pool
                        }
                    }
                }
            }
            demo.close();
        }
    }

    @Test
    void should_rebuild_the_server_from_the_repository_with_its_flavor_disk_order_and_bit_identical_data() {
        long started = System.nanoTime();
        ApiClient.Answer answer = api.post("/api/servers/" + server + "/restore");
        assertEquals(202, answer.status(), "a restore is a job: " + answer.body());
        String job = answer.body().path("id").asText();
        assertEquals("running", answer.body().path("status").asText(), answer.body().toString());
        ApiClient.Answer twice = api.post("/api/servers/" + server + "/restore");
        assertEquals(409, twice.status(), "one restore of a server at a time: " + twice.body());
        JsonNode done = io.blockferry.testing.Await.until(() -> api.get("/api/restores/" + job).body(),
                j -> !"running".equals(j.path("status").asText()), java.time.Duration.ofMinutes(10), "the restore job");
        System.out.printf("restore took %.1f s%n", (System.nanoTime() - started) / 1e9);
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        JsonNode result = done.path("result");
        String restored = result.path("serverId").asText();
        List<String> newVolumes = new ArrayList<>();
        result.path("volumeIds").forEach(v -> newVolumes.add(v.asText()));
        assertFalse(restored.equals(server), "a new server");
        assertEquals(2, newVolumes.size(), result.toString());
        newVolumes.forEach(v -> assertFalse(originalVolumes.contains(v), "new volume " + v));

        JsonNode s = demo.api.get("compute", "/servers/" + restored).path("server");
        assertEquals("ACTIVE", s.path("status").asText());
        assertEquals(prefix + "-bfv", s.path("name").asText());
        assertEquals(demo.flavorId("bf.small"), s.path("flavor").path("id").asText());
        assertEquals(List.of("restore-me"), TestCloud.texts(demo.api.get("compute", "/servers/" + restored + "/tags").path("tags")));
        assertEquals(newVolumes, demo.attachedInDeviceOrder(restored), "the new volumes in the original boot order");
        assertEquals(originalVolumes, demo.attachedInDeviceOrder(server));
        assertTrue(demo.api.get("volumev3", "/volumes/" + newVolumes.get(0)).path("volume").path("bootable").asBoolean());

        List<String> sources = new ArrayList<>(synced.keySet());
        for (int i = 0; i < newVolumes.size(); i++) {
            String pool = sources.get(i).substring(0, sources.get(i).indexOf('/'));
            assertEquals(synced.get(sources.get(i)), LocalCeph.exportSha256(pool, "volume-" + newVolumes.get(i), null),
                    "restored volume " + newVolumes.get(i) + " equals the synced snapshot of " + sources.get(i));
            assertEquals(List.of(), LocalCeph.snapshots(pool, "volume-" + newVolumes.get(i)),
                    "no import snapshot left for Cinder to trip over");
        }
    }

    @Test
    void should_refuse_to_restore_a_server_it_has_no_metadata_of_with_404() {
        ApiClient.Answer answer = api.post("/api/servers/" + UUID.randomUUID() + "/restore");
        assertEquals(404, answer.status(), answer.body().toString());
        assertTrue(answer.body().path("error").asText().contains("no metadata"), answer.body().toString());
    }
}
