package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.target.rbd.RbdReplica;
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
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Failover from the DR replica, for real: the OpenStack's own Ceph is the DR site (pool dr-volumes,
 * user client.blockferry-dr of scripts/openstack-dev.sh). A server booted from a 1 GiB volume with
 * a 20 GiB data volume is synced twice into DR images; a drill boots a copy from the DR snapshots
 * and its cleanup leaves the DR side exactly as it was; a failover boots the server from them, its
 * volumes bit-identical to the source snapshots, in a time that does not depend on the disk size.
 */
@Tag("openstack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenStackFailoverTest {

    private static final Duration POLLED = Duration.ofMinutes(3);
    private static final Duration ACK = Duration.ofMinutes(3);
    private static final String TOKEN = "it-failover-token";
    private static final String DR_POOL = "dr-volumes";
    /** The data disk's size; -Dblockferry.it.failover-data-gb=1 measures the same failover with a small disk. */
    private static final int DATA_GB = Integer.getInteger("blockferry.it.failover-data-gb", 20);

    private final String prefix = "bf-failover-it-" + UUID.randomUUID().toString().substring(0, 8);
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
        String data = demo.createVolume(prefix + "-data", "ceph-hdd", DATA_GB, null);
        originalVolumes.addAll(List.of(boot, data));
        demo.awaitVolume(boot, "available");
        demo.awaitVolume(data, "available");
        server = demo.bootFromVolume(prefix + "-bfv", demo.flavorId("bf.small"), boot);
        demo.awaitServer(server, "ACTIVE");
        demo.attach(server, data);
        demo.tag(server, "fail-me-over");

        Path dir = Files.createTempDirectory("bf-failover-it");
        int port = TestRuntimes.freePort();
        api = new ApiClient(port, TOKEN);
        Path osCeph = TestCloud.STATE.resolve("ceph");
        Map<String, String> s = new HashMap<>(demo.openrc);
        s.put("blockferry.openstack.enabled", "true");
        s.put("blockferry.openstack.pools", "ceph-ssd=volumes,ceph-hdd=volumes-hdd,CEPH_GLANCE_VMS=vms");
        s.put("blockferry.openstack.poll-interval", "3s");
        s.put("blockferry.restore.pools", "ceph-ssd=volumes,ceph-hdd=volumes-hdd");
        s.put("blockferry.target.replica", "rbd");
        s.put("blockferry.target.dr.conf", osCeph.resolve("ceph.conf").toString());
        s.put("blockferry.target.dr.id", "blockferry-dr");
        s.put("blockferry.target.dr.keyring", osCeph.resolve("ceph.client.blockferry-dr.keyring").toString());
        s.put("blockferry.target.dr.pool", DR_POOL);
        s.put("camel.server.enabled", "true");
        s.put("camel.server.port", Integer.toString(port));
        s.put("blockferry.api.token", TOKEN);
        runtime = TestRuntimes.start(dir, s);
        List<MappedDisk> disks = Await.until(() -> Beans.inventory(runtime).mapping().disksOf(server), d -> d.size() == 2,
                POLLED, "the inventory to map the server's two disks");

        long seed = 21;
        for (MappedDisk disk : disks) {
            removeDrImages(disk.imageSpec());
            try (TestImage image = TestImage.existing(disk.pool(), disk.image(), seed++)) {
                image.writeRandom(0, 3 << 20);
                sync(disk.imageSpec(), SyncMode.FULL);
                image.writeRandom(5 << 20, 1 << 20);
                image.writeRandom(900 << 20, 2 << 20);
                GenerationReport last = sync(disk.imageSpec(), SyncMode.INCREMENTAL);
                synced.put(disk.imageSpec(), LocalCeph.exportSha256(disk.pool(), disk.image(), last.snapshot()));
            }
        }
        Beans.publishMetadata(runtime, server);
        Await.until(() -> api.get("/api/servers/" + server + "/metadata").body(),
                r -> r.path("metadata").path("disks").size() == 2, POLLED, "the target to store the server's metadata");
    }

    private GenerationReport sync(String imageSpec, SyncMode expected) {
        GenerationReport report = runtime.sync(SyncRequest.incremental(imageSpec, "test"));
        assertEquals(expected, report.mode(), imageSpec);
        report.awaitCommitted(ACK);
        return report;
    }

    @AfterAll
    void cleanUp() {
        if (demo != null) {
            demo.adoptByPrefix(prefix);
            demo.close();
        }
        if (runtime != null) {
            // the failed-over volumes are gone: their DR snapshots are released, then the DR images removed
            Await.until(() -> api.post("/api/drills/cleanup").body(), b -> !drSide().toString().contains(
                    "\"protected\":\"true\""), POLLED, "the DR snapshots released once the failed-over volumes are gone");
            runtime.close();
        }
        synced.keySet().forEach(OpenStackFailoverTest::removeDrImages);
    }

    @Test
    void should_drill_without_touching_the_dr_side_then_fail_over_bit_identical() {
        Map<String, String> before = drSide();
        assertEquals(4, before.values().stream().mapToInt(v -> v.split("blockferry-g").length - 1).sum(),
                "two DR snapshots per disk: " + before);

        // a drill: a copy of the server from the DR snapshots, while the DR side stays as it is
        JsonNode drill = follow(api.post("/api/servers/" + server + "/failover?drill=true"));
        String drilled = drill.path("serverId").asText();
        JsonNode d = demo.api.get("compute", "/servers/" + drilled).path("server");
        assertEquals("ACTIVE", d.path("status").asText());
        assertEquals(prefix + "-bfv-drill", d.path("name").asText());
        assertEquals(List.of("blockferry-drill", "fail-me-over"), sorted(demo.api.get("compute", "/servers/" + drilled
                + "/tags").path("tags")));
        assertBitIdentical(drill);
        ApiClient.Answer cleanup = api.post("/api/drills/cleanup");
        assertEquals(200, cleanup.status(), cleanup.body().toString());
        assertEquals(List.of(drilled), TestCloud.texts(cleanup.body().path("servers")));
        assertEquals(2, cleanup.body().path("volumes").size(), cleanup.body().toString());
        assertEquals(before, drSide(), "a drill and its cleanup leave the DR images and snapshots exactly as they were");
        assertTrue(demo.api.get("volumev3", "/volumes/detail").path("volumes").findValues("metadata").stream()
                .noneMatch(m -> m.has("blockferry-drill")), "no drill volume left");

        // the failover: the server booted from the DR snapshots of the newest points, no data copied
        long started = System.nanoTime();
        JsonNode result = follow(api.post("/api/servers/" + server + "/failover"));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("failover of a server with a 1 GiB and a %d GiB disk took %.1f s%n", DATA_GB, seconds);
        String failedOver = result.path("serverId").asText();
        assertFalse(failedOver.equals(server));
        JsonNode f = demo.api.get("compute", "/servers/" + failedOver).path("server");
        assertEquals("ACTIVE", f.path("status").asText());
        assertEquals(prefix + "-bfv", f.path("name").asText());
        assertEquals(demo.flavorId("bf.small"), f.path("flavor").path("id").asText());
        assertEquals(List.of("fail-me-over"), TestCloud.texts(demo.api.get("compute", "/servers/" + failedOver + "/tags")
                .path("tags")));
        List<String> volumes = TestCloud.texts(result.path("volumeIds"));
        assertEquals(volumes, demo.attachedInDeviceOrder(failedOver), "the new volumes in the original boot order");
        assertTrue(demo.api.get("volumev3", "/volumes/" + volumes.get(0)).path("volume").path("bootable").asBoolean());
        assertEquals(DATA_GB, demo.api.get("volumev3", "/volumes/" + volumes.get(1)).path("volume").path("size").asInt());
        assertBitIdentical(result);
    }

    /** Each new volume read back through Ceph equals the source snapshot of its disk's last point. */
    private void assertBitIdentical(JsonNode result) {
        List<String> volumes = TestCloud.texts(result.path("volumeIds"));
        List<String> sources = new ArrayList<>(synced.keySet());
        assertEquals(sources.size(), volumes.size(), result.toString());
        for (int i = 0; i < volumes.size(); i++) {
            String pool = sources.get(i).substring(0, sources.get(i).indexOf('/'));
            String image = "volume-" + volumes.get(i);
            assertTrue(LocalCeph.run(List.of("rbd", "--conf", LocalCeph.conf().toString(), "--id", "admin", "info",
                    pool + "/" + image), 60).contains("parent: " + DR_POOL + "/"), image + " is a clone of a DR snapshot");
            assertEquals(synced.get(sources.get(i)), LocalCeph.exportSha256(pool, image, null),
                    "volume " + volumes.get(i) + " equals the synced snapshot of " + sources.get(i));
        }
    }

    private JsonNode follow(ApiClient.Answer answer) {
        assertEquals(202, answer.status(), "a failover is a job: " + answer.body());
        String job = answer.body().path("id").asText();
        JsonNode done = Await.until(() -> api.get("/api/restores/" + job).body(),
                j -> !"running".equals(j.path("status").asText()), Duration.ofMinutes(5), "the failover job");
        assertEquals("succeeded", done.path("status").asText(), done.toString());
        return done.path("result");
    }

    /** The DR images of the server's disks, each with its snapshots as rbd lists them (names, ids, protection). */
    private Map<String, String> drSide() {
        Map<String, String> side = new TreeMap<>();
        for (String volume : synced.keySet()) {
            for (String image : drImages(volume)) {
                side.put(image, LocalCeph.rbd("snap", "ls", "--format", "json", DR_POOL + "/" + image).trim());
            }
        }
        return side;
    }

    private static List<String> drImages(String volumeId) {
        String prefix = RbdReplica.imageBase(volumeId) + ".g";
        return List.of(LocalCeph.rbd("ls", DR_POOL).split("\n")).stream().filter(i -> i.startsWith(prefix)).sorted()
                .toList();
    }

    private static void removeDrImages(String volumeId) {
        for (String image : drImages(volumeId)) {
            LocalCeph.rbd("snap", "purge", "--no-progress", DR_POOL + "/" + image);
            LocalCeph.rbd("rm", "--no-progress", DR_POOL + "/" + image);
        }
    }


    private static List<String> sorted(JsonNode array) {
        return TestCloud.texts(array).stream().sorted().toList();
    }
}
