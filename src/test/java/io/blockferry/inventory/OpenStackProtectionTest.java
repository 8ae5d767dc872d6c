package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.blockferry.BlockferryRuntime;
import io.blockferry.demo.Checksums;
import io.blockferry.events.ChainBreak;
import io.blockferry.events.EventTypes;
import io.blockferry.schedule.FinishedTask;
import io.blockferry.source.ChainHints;
import io.blockferry.source.GenerationReport;
import io.blockferry.source.SyncRequest;
import io.blockferry.testing.Await;
import io.blockferry.testing.Beans;
import io.blockferry.testing.LocalCeph;
import io.blockferry.testing.TestImage;
import io.blockferry.testing.TestRuntimes;
import io.blockferry.testing.TopicWatch;
import io.blockferry.transport.SyncMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Blockferry with its OpenStack inventory on, against the real OpenStack of scripts/openstack-dev.sh:
 * two authentication domains (Default and blockferry-other), servers booted from a volume and from
 * an image, one with a disk of a volume type the pool map lacks, stopped, suspended and errored
 * servers, a volume extended through Cinder, and restore metadata reaching the target.
 */
@Tag("openstack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenStackProtectionTest {

    private static final Duration POLLED = Duration.ofMinutes(3);
    private static final Duration ACK = Duration.ofMinutes(3);
    private static final String TOKEN = "it-openstack-token";
    private static final long GiB = 1L << 30;

    private final String prefix = "bf-prot-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> standIns = new ArrayList<>();
    private TestCloud demo;
    private TestCloud other;
    private Path data;
    private BlockferryRuntime runtime;
    private TopicWatch events;
    private String api;
    private String bootVolume;
    private String dataVolume;
    private String growVolume;
    private String defaultTypeVolume;
    private String bfv;
    private String fromImage;
    private String unmapped;
    private String stopped;
    private String suspended;
    private String errored;
    private String otherServer;

    @BeforeAll
    void createServersAndStart() throws Exception {
        demo = TestCloud.demo();
        other = TestCloud.otherDomain();
        String image = demo.imageId("cirros-fake");
        String flavor = demo.flavorId("bf.small");
        bootVolume = demo.createVolume(prefix + "-boot", "ceph-ssd", 1, image);
        dataVolume = demo.createVolume(prefix + "-data", "ceph-hdd", 1, null);
        growVolume = demo.createVolume(prefix + "-grow", "ceph-ssd", 1, null);
        // __DEFAULT__ lands on a Ceph backend but is not in the test's pool map. (lvm-unmapped volumes
        // never leave "error" on this cloud, as no backend has that name, so no server can use one.)
        defaultTypeVolume = demo.createVolume(prefix + "-untyped", "__DEFAULT__", 1, null);
        for (String v : List.of(bootVolume, dataVolume, growVolume, defaultTypeVolume)) {
            demo.awaitVolume(v, "available");
        }
        bfv = demo.bootFromVolume(prefix + "-bfv", flavor, bootVolume);
        fromImage = demo.bootFromImage(prefix + "-img", flavor, image);
        unmapped = demo.bootFromImage(prefix + "-unmapped", flavor, image);
        stopped = demo.bootFromImage(prefix + "-stopped", flavor, image);
        suspended = demo.bootFromImage(prefix + "-suspended", flavor, image);
        errored = demo.bootFromImage(prefix + "-errored", flavor, image);
        otherServer = other.bootFromImage(prefix + "-other", other.flavorId("bf.small"), other.imageId("cirros-fake"));
        for (String s : List.of(bfv, fromImage, unmapped, stopped, suspended, errored)) {
            demo.awaitServer(s, "ACTIVE");
        }
        other.awaitServer(otherServer, "ACTIVE");
        demo.attach(bfv, dataVolume);
        demo.attach(bfv, growVolume);
        demo.attach(unmapped, defaultTypeVolume);
        demo.tag(bfv, "gold");
        demo.action(stopped, "os-stop", null);
        demo.action(suspended, "suspend", null);
        demo.action(errored, "os-resetState", TestCloud.JSON.createObjectNode().put("state", "error"));
        demo.awaitServer(stopped, "SHUTOFF");
        demo.awaitServer(suspended, "SUSPENDED");
        demo.awaitServer(errored, "ERROR");

        data = Files.createTempDirectory("bf-openstack-it");
        Path policies = data.resolve("policies.yaml");
        Files.writeString(policies, """
                policies:
                  - name: gold
                    schedule: "0 0 3 1 1 ? 2099"
                    select:
                      servers: {name: "%s-.*", tags: [gold], projects: [blockferry-demo], domains: [Default]}
                """.formatted(prefix));
        int port = TestRuntimes.freePort();
        api = "http://127.0.0.1:" + port + "/api";
        runtime = TestRuntimes.start(data, settings(Map.of("camel.server.enabled", "true",
                "camel.server.port", Integer.toString(port), "blockferry.api.token", TOKEN,
                "blockferry.policies.file", policies.toString())));
        events = TopicWatch.events(runtime.bootstrapServers());
        Await.until(() -> Beans.inventory(runtime).current(), i -> i.server(bfv).isPresent()
                && i.server(otherServer).isPresent() && i.volume(growVolume).map(v -> v.attachments().size() == 1)
                .orElse(false), POLLED, "the inventory to list the test's servers");
    }

    /** Two authentication domains: Default as the demo user, blockferry-other as other-user. */
    private Map<String, String> settings(Map<String, String> more) {
        Map<String, String> s = new HashMap<>(demo.openrc);
        s.put("blockferry.openstack.enabled", "true");
        s.put("blockferry.openstack.auth-domains", "Default,blockferry-other");
        s.put("blockferry.openstack.auth-domain.blockferry-other.username", "other-user");
        s.put("blockferry.openstack.auth-domain.blockferry-other.password", TestCloud.password("other-user"));
        s.put("blockferry.openstack.pools", "ceph-ssd=volumes,ceph-hdd=volumes-hdd,CEPH_GLANCE_VMS=vms");
        s.put("blockferry.openstack.poll-interval", "3s");
        s.putAll(more);
        return s;
    }

    @AfterAll
    void stop() {
        if (events != null) {
            events.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        standIns.forEach(spec -> LocalCeph.removeImage(spec.substring(0, spec.indexOf('/')),
                spec.substring(spec.indexOf('/') + 1)));
        if (other != null) {
            other.close();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void should_map_exactly_the_disks_of_each_domains_servers_to_rbd_images_that_exist() {
        DiskMapping mapping = Beans.inventory(runtime).mapping();
        // The extend test may have grown this one already.
        long growSize = Beans.inventory(runtime).current().volume(growVolume).orElseThrow().sizeGb();
        assertEquals(List.of(
                new MappedDisk(bfv, "/dev/sda", bootVolume, "volumes", "volume-" + bootVolume, 1, true),
                new MappedDisk(bfv, "/dev/sdb", dataVolume, "volumes-hdd", "volume-" + dataVolume, 1, false),
                new MappedDisk(bfv, "/dev/sdc", growVolume, "volumes", "volume-" + growVolume, growSize, false)),
                mapping.disksOf(bfv));
        assertEquals(List.of(new MappedDisk(fromImage, "/dev/sda", null, "vms", fromImage + "_disk", 1, true)),
                mapping.disksOf(fromImage));
        // other-user is a member, not an admin: Nova hides the root device name from it, and
        // Blockferry assumes the first virtio disk. (An admin sees the fake driver's /dev/sda.)
        assertEquals(List.of(new MappedDisk(otherServer, "/dev/vda", null, "vms", otherServer + "_disk", 1, true)),
                mapping.disksOf(otherServer));

        Server server = Beans.inventory(runtime).current().server(bfv).orElseThrow();
        assertEquals("blockferry-demo", server.projectName());
        assertEquals("Default", server.domainName());
        assertEquals(List.of("gold"), server.tags());
        Server foreign = Beans.inventory(runtime).current().server(otherServer).orElseThrow();
        assertEquals("other-project", foreign.projectName());
        assertEquals("blockferry-other", foreign.domainName());
        assertEquals("cirros-fake", Beans.inventory(runtime).current().image(foreign.bootSource().id()).orElseThrow().name());

        for (MappedDisk disk : mapping.disksOf(bfv)) {
            String info = LocalCeph.rbd("info", disk.imageSpec());
            assertTrue(info.contains("rbd image '" + disk.image() + "'") && info.contains("size " + disk.sizeGb()
                    + " GiB"), info);
        }
        // Nova's fake driver makes no disk for an image-booted server; libvirt's RBD backend would
        // make vms/<uuid>_disk at the flavor's size. The test makes it, standing in for libvirt.
        for (String serverId : List.of(fromImage, otherServer)) {
            MappedDisk root = mapping.disksOf(serverId).get(0);
            LocalCeph.rbd("create", "--size", root.sizeGb() + "G", root.imageSpec());
            standIns.add(root.imageSpec());
            String info = LocalCeph.rbd("info", root.imageSpec());
            assertTrue(info.contains("rbd image '" + serverId + "_disk'") && info.contains("size 1 GiB"), info);
        }
    }

    @Test
    void should_skip_an_unmapped_volume_type_and_suspended_or_errored_servers_with_a_reason_but_sync_a_stopped_one() {
        TopicWatch.Seen skip = events.await(s -> isEvent(s, EventTypes.INVENTORY_SKIP, SkipReason.VOLUME_TYPE_UNMAPPED)
                && s.json().path("message").asText().contains(defaultTypeVolume), POLLED, "the unmapped-type skip");
        String message = skip.json().path("message").asText();
        assertTrue(message.contains("volume type '__DEFAULT__'"), message);
        assertTrue(message.contains("blockferry.openstack.pools"), message);
        assertEquals(List.of(new MappedDisk(unmapped, "/dev/sda", null, "vms", unmapped + "_disk", 1, true)),
                Beans.inventory(runtime).mapping().disksOf(unmapped), "the server's other disk is still synced");

        events.await(s -> isEvent(s, EventTypes.INVENTORY_SKIP, SkipReason.SERVER_SUSPENDED)
                && s.json().path("message").asText().contains(suspended), POLLED, "the suspended server's skip");
        events.await(s -> isEvent(s, EventTypes.INVENTORY_SKIP, SkipReason.SERVER_ERROR)
                && s.json().path("message").asText().contains(errored), POLLED, "the errored server's skip");
        assertEquals(List.of(), Beans.inventory(runtime).mapping().disksOf(suspended));
        assertEquals(List.of(), Beans.inventory(runtime).mapping().disksOf(errored));
        assertEquals(1, Beans.inventory(runtime).mapping().disksOf(stopped).size(), "a stopped server is synced");

        long before = Beans.inventory(runtime).current().polledAt().toEpochMilli();
        Await.until(() -> Beans.inventory(runtime).current().polledAt().toEpochMilli(), t -> t > before, POLLED, "a later poll");
        assertEquals(1, events.readToEnd(POLLED).stream().filter(s -> isEvent(s, EventTypes.INVENTORY_SKIP, SkipReason.SERVER_SUSPENDED)
                && s.json().path("message").asText().contains(suspended)).count(), "a skip is reported once");
    }

    @Test
    void should_publish_metadata_that_the_target_stores_and_turns_into_a_restore_plan() throws Exception {
        ServerMetadata sent = Beans.publishMetadata(runtime, bfv);
        assertEquals("bf.small", sent.flavor().name());
        assertEquals(List.of("/dev/sda", "/dev/sdb", "/dev/sdc"),
                sent.disks().stream().map(ServerMetadata.Disk::device).toList());

        JsonNode stored = Await.until(() -> get("/servers/" + bfv + "/metadata"), r -> r.path("metadata").has("disks"),
                POLLED, "the target to store the metadata");
        JsonNode m = stored.path("metadata");
        assertEquals(prefix + "-bfv", m.path("name").asText());
        assertEquals("bf.small", m.path("flavor").path("name").asText());
        assertEquals(512, m.path("flavor").path("ramMb").asInt());
        assertEquals(List.of("volumes/volume-" + bootVolume, "volumes-hdd/volume-" + dataVolume,
                "volumes/volume-" + growVolume), texts(m.path("disks"), "imageSpec"));
        assertTrue(m.path("disks").get(0).path("bootable").asBoolean());
        assertEquals("gold", m.path("tags").get(0).asText());
        assertEquals("blockferry-demo", m.path("projectName").asText());

        JsonNode plan = get("/servers/" + bfv + "/restore-plan");
        assertEquals(List.of("create-flavor", "create-volume", "import-data", "create-volume", "import-data",
                "create-volume", "import-data", "create-server"), texts(plan.path("steps"), "action"));
        assertEquals("volume", plan.path("serverBody").path("server").path("block_device_mapping_v2").get(0)
                .path("source_type").asText());
    }

    @Test
    void should_resync_an_extended_volume_in_full_because_the_inventory_said_so_bit_identical_at_the_new_size()
            throws Exception {
        String volumeId = "volumes/volume-" + growVolume;
        try (TestImage image = TestImage.existing("volumes", "volume-" + growVolume, 81)) {
            image.writeRandom(0, 4 << 20);
            GenerationReport first = runtime.sync(SyncRequest.incremental(volumeId, "test"));
            first.awaitCommitted(ACK);

            demo.extend(growVolume, 2);
            ChainHints.Hint hint = Await.until(() -> Beans.chainHints(runtime).find(volumeId), h -> h.isPresent(), POLLED,
                    "the inventory's hint for " + volumeId).orElseThrow();
            assertEquals(ChainBreak.VOLUME_RESIZED, hint.cause());
            assertTrue(hint.detail().contains("extended from 1 to 2 GiB"), hint.detail());
            image.writeRandom(GiB + (8 << 20), 2 << 20);

            GenerationReport second = runtime.sync(SyncRequest.incremental(volumeId, "test"));
            assertEquals(SyncMode.FULL, second.mode());
            assertEquals(ChainBreak.VOLUME_RESIZED, second.cause());
            second.awaitCommitted(ACK);
            TopicWatch.Seen chainBreak = events.await(s -> isEvent(s, EventTypes.CHAIN_BREAK, ChainBreak.VOLUME_RESIZED)
                    && volumeId.equals(s.key()), POLLED, "the chain-break event");
            assertTrue(chainBreak.json().path("message").asText().contains("seen by the OpenStack inventory"),
                    chainBreak.json().toString());

            Path replica = runtime.writer().repository().replica(volumeId);
            assertEquals(2 * GiB, Files.size(replica));
            assertEquals(LocalCeph.exportSha256("volumes", "volume-" + growVolume, second.snapshot()),
                    Checksums.sha256(replica));
            assertTrue(Beans.chainHints(runtime).find(volumeId).isEmpty(), "the ack of the full resync clears the hint");
        }
    }

    @Test
    void should_sync_every_disk_of_the_server_a_policy_selects_bit_identically_and_export_its_metadata()
            throws Exception {
        long since = System.currentTimeMillis();
        JsonNode run = send(HttpRequest.newBuilder(URI.create(api + "/policies/gold/sync?mode=full"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(3, run.path("queued").asInt(), "only the tagged server, with its three disks: " + run);
        List<FinishedTask> done = Await.until(() -> Beans.queue(runtime).recent().stream()
                        .filter(f -> "gold".equals(f.task().policy()) && f.finishedAtMillis() >= since).toList(),
                l -> l.size() >= 3, ACK, "the policy's three disks synced");
        assertTrue(done.stream().allMatch(f -> f.error() == null), done.toString());
        assertTrue(done.stream().allMatch(f -> bfv.equals(f.task().host())), "the disks count as one host");

        List<MappedDisk> disks = Beans.inventory(runtime).mapping().disksOf(bfv);
        assertEquals(List.of("volumes/volume-" + bootVolume, "volumes-hdd/volume-" + dataVolume,
                "volumes/volume-" + growVolume), disks.stream().map(MappedDisk::imageSpec).toList());
        for (MappedDisk disk : disks) {
            String base = get("/volumes/" + disk.pool() + "/" + disk.image()).path("baseSnapshot").asText();
            assertEquals(LocalCeph.exportSha256(disk.pool(), disk.image(), base),
                    Checksums.sha256(runtime.writer().repository().replica(disk.imageSpec())),
                    disk.imageSpec() + " on the target equals its source snapshot " + base);
        }

        JsonNode m = Await.until(() -> get("/servers/" + bfv + "/metadata").path("metadata"),
                n -> n.has("disks"), POLLED, "the server's metadata on the target");
        assertEquals("bf.small", m.path("flavor").path("name").asText());
        assertEquals(List.of("/dev/sda", "/dev/sdb", "/dev/sdc"), texts(m.path("disks"), "device"),
                "disks in boot order");
        assertEquals(disks.stream().map(MappedDisk::imageSpec).toList(), texts(m.path("disks"), "imageSpec"));
    }

    private static boolean isEvent(TopicWatch.Seen seen, String type, String cause) {
        JsonNode json = seen.json();
        return type.equals(json.path("type").asText()) && cause.equals(json.path("cause").asText());
    }

    private JsonNode get(String path) {
        return send(HttpRequest.newBuilder(URI.create(api + path)).GET());
    }

    private JsonNode send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.header("Authorization", "Bearer " + TOKEN).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode body = TestCloud.JSON.readTree(response.body());
            return response.statusCode() / 100 == 2 ? body : TestCloud.JSON.createObjectNode().set("error", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.path(field).asText()));
        return values;
    }
}
