package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Against the real OpenStack of scripts/openstack-dev.sh (which must be running): a server booted
 * from a ceph-ssd volume with a ceph-hdd data volume, and a server booted from an image.
 */
@Tag("openstack")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenStackInventoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_NETWORK_VERSIONS = "compute 2.37, volume 3.0";
    private static final String TAG = "blockferry-it";

    private final String prefix = "bf-inv-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> serverIds = new ArrayList<>();
    private final List<String> volumeIds = new ArrayList<>();
    private Map<String, String> openrc;
    private OpenStackApi api;
    private String bootVolumeId;
    private String dataVolumeId;
    private String volumeServerId;
    private String imageServerId;
    private Inventory inventory;

    @BeforeAll
    void createServersAndPoll() throws Exception {
        openrc = openrc();
        api = new OpenStackApi(OpenStackSettings.fromEnvironment(openrc));
        String imageId = api.get("image", "/v2/images?name=cirros-fake").path("images").get(0).path("id").asText();
        String flavorId = flavorId("bf.small");

        bootVolumeId = createVolume(prefix + "-boot", "ceph-ssd", imageId);
        dataVolumeId = createVolume(prefix + "-data", "ceph-hdd", null);
        waitFor(() -> volumeStatus(bootVolumeId), "available", 180);
        waitFor(() -> volumeStatus(dataVolumeId), "available", 120);

        ObjectNode bfv = serverBody(prefix + "-bfv", flavorId);
        ObjectNode mapping = bfv.withArray("block_device_mapping_v2").addObject();
        mapping.put("boot_index", 0).put("uuid", bootVolumeId).put("source_type", "volume")
                .put("destination_type", "volume").put("delete_on_termination", false);
        volumeServerId = createServer(bfv);
        ObjectNode fromImage = serverBody(prefix + "-img", flavorId);
        fromImage.put("imageRef", imageId);
        imageServerId = createServer(fromImage);
        waitFor(() -> serverStatus(volumeServerId), "ACTIVE", 180);
        waitFor(() -> serverStatus(imageServerId), "ACTIVE", 180);

        ObjectNode attach = JSON.createObjectNode();
        attach.putObject("volumeAttachment").put("volumeId", dataVolumeId);
        api.post("compute", "/servers/" + volumeServerId + "/os-volume_attachments", attach);
        waitFor(() -> volumeStatus(dataVolumeId), "in-use", 120);
        api.put("compute", "/servers/" + volumeServerId + "/tags/" + TAG, null);

        inventory = new InventoryPoller(api, true, Clock.systemUTC()).poll();
    }

    @AfterAll
    void deleteEverything() throws Exception {
        if (api == null) {
            return;
        }
        for (String id : serverIds) {
            quietly(() -> api.delete("compute", "/servers/" + id));
        }
        for (String id : serverIds) {
            waitFor(() -> serverStatus(id), "gone", 180);
        }
        for (String id : volumeIds) {
            waitFor(() -> volumeStatus(id), "available", 120);
            quietly(() -> api.delete("volumev3", "/volumes/" + id));
        }
    }

    @Test
    void should_list_the_servers_with_flavor_host_tags_and_boot_source() {
        Server bfv = inventory.server(volumeServerId).orElseThrow();
        assertEquals(prefix + "-bfv", bfv.name());
        assertEquals("ACTIVE", bfv.status());
        assertEquals("bf.small", bfv.flavorName());
        assertEquals(List.of(TAG), bfv.tags());
        assertNotNull(bfv.host(), "an admin sees the compute host");
        assertEquals(BootSource.volume(bootVolumeId), bfv.bootSource());
        // Nova's fake driver names disks /dev/sdX; a libvirt host would say /dev/vdX.
        assertEquals("/dev/sda", bfv.rootDevice());
        assertEquals(List.of(new ServerVolume(bootVolumeId, "/dev/sda"), new ServerVolume(dataVolumeId, "/dev/sdb")),
                bfv.volumes().stream().sorted(java.util.Comparator.comparing(ServerVolume::device)).toList());

        Server fromImage = inventory.server(imageServerId).orElseThrow();
        assertEquals(BootSource.Kind.IMAGE, fromImage.bootSource().kind());
        assertEquals(List.of(), fromImage.volumes());
        assertEquals(List.of(), fromImage.tags());
    }

    @Test
    void should_list_the_volumes_with_type_size_bootable_and_attachment() {
        Volume boot = inventory.volume(bootVolumeId).orElseThrow();
        assertEquals("ceph-ssd", boot.type());
        assertEquals(1, boot.sizeGb());
        assertTrue(boot.bootable());
        assertFalse(boot.encrypted());
        assertEquals(List.of(new VolumeAttachment(volumeServerId, "/dev/sda")), boot.attachments());

        Volume data = inventory.volume(dataVolumeId).orElseThrow();
        assertEquals("ceph-hdd", data.type());
        assertFalse(data.bootable());
        assertEquals(List.of(new VolumeAttachment(volumeServerId, "/dev/sdb")), data.attachments());
        assertTrue(data.host().contains("#"), "an admin sees the backend host: " + data.host());

        assertTrue(inventory.volumeTypes().stream().anyMatch(t -> t.name().equals("lvm-unmapped")
                && "lvm-unmapped".equals(t.backendName())), inventory.volumeTypes().toString());
        assertEquals(1, inventory.flavors().stream().filter(f -> f.name().equals("bf.small")).findFirst()
                .orElseThrow().diskGb());
    }

    @Test
    void should_map_exactly_their_disks_to_rbd_images_that_exist() throws Exception {
        DiskMapper mapper = new DiskMapper(new CephPoolMap(Map.of("ceph-ssd", "volumes", "ceph-hdd", "volumes-hdd")),
                new SkipRules());
        DiskMapping mapping = mapper.map(inventory);

        assertEquals(List.of(
                new MappedDisk(volumeServerId, "/dev/sda", bootVolumeId, "volumes", "volume-" + bootVolumeId, 1, true),
                new MappedDisk(volumeServerId, "/dev/sdb", dataVolumeId, "volumes-hdd", "volume-" + dataVolumeId, 1, false)),
                mapping.disksOf(volumeServerId));
        assertEquals(List.of(
                new MappedDisk(imageServerId, "/dev/sda", null, "vms", imageServerId + "_disk", 1, true)),
                mapping.disksOf(imageServerId));
        assertTrue(mapping.skipped().stream().noneMatch(s -> s.serverId().equals(volumeServerId)
                || s.serverId().equals(imageServerId)), mapping.skipped().toString());

        for (MappedDisk disk : mapping.disksOf(volumeServerId)) {
            String info = rbd("info", disk.imageSpec());
            assertTrue(info.contains("rbd image '" + disk.image() + "'"), info);
            assertTrue(info.contains("size 1 GiB"), info);
        }
        // Nova's fake driver creates no disk for an image-booted server, so there is no
        // vms/<uuid>_disk to read back here; the name is what Nova's RBD image backend uses.
    }

    @Test
    void should_give_a_client_from_the_token_to_another_thread() throws Exception {
        OpenStackSession session = api.session();
        List<String> flavorNames = CompletableFuture.supplyAsync(() -> session.client().compute().flavors().list()
                .stream().map(org.openstack4j.model.compute.Flavor::getName).sorted().toList()).get(60, TimeUnit.SECONDS);
        assertTrue(flavorNames.containsAll(List.of("bf.medium", "bf.small")), flavorNames.toString());
        assertTrue(session.client().blockStorage().volumes().list().stream()
                .anyMatch(v -> v.getId().equals(dataVolumeId)), "cinder through openstack4j with the header");
    }

    @Test
    void should_refuse_a_wrong_password_with_a_clear_message() {
        Map<String, String> env = new HashMap<>(openrc);
        env.put("OS_PASSWORD", "wrong-pw-123");
        OpenStackException e = assertThrows(OpenStackException.class,
                () -> OpenStackSession.authenticate(OpenStackSettings.fromEnvironment(env)));
        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("Keystone refused user 'blockferry' of domain 'Default' at "
                + env.get("OS_AUTH_URL")), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pw-123"), e.getMessage());
        assertEquals(null, e.getCause());
    }

    @Test
    void should_refuse_an_unknown_domain_with_a_clear_message() {
        Map<String, String> env = new HashMap<>(openrc);
        env.put("OS_USER_DOMAIN_NAME", "no-such-domain");
        OpenStackException e = assertThrows(OpenStackException.class,
                () -> OpenStackSession.authenticate(OpenStackSettings.fromEnvironment(env)));
        assertTrue(e.getMessage().contains("domain 'no-such-domain'"), e.getMessage());
        assertFalse(e.getMessage().contains(openrc.get("OS_PASSWORD")), e.getMessage());
    }

    @Test
    void should_say_when_keystone_does_not_answer() {
        Map<String, String> env = new HashMap<>(openrc);
        env.put("OS_AUTH_URL", "http://127.0.0.1:5999/v3");
        OpenStackException e = assertThrows(OpenStackException.class,
                () -> OpenStackSession.authenticate(OpenStackSettings.fromEnvironment(env)));
        assertTrue(e.getMessage().contains("Keystone at http://127.0.0.1:5999/v3 did not answer"), e.getMessage());
        assertFalse(e.getMessage().contains(openrc.get("OS_PASSWORD")), e.getMessage());
    }

    private ObjectNode serverBody(String name, String flavorId) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("server").put("name", name).put("flavorRef", flavorId).put("networks", "none");
        return (ObjectNode) body.get("server");
    }

    private String createServer(ObjectNode server) {
        ObjectNode body = JSON.createObjectNode();
        body.set("server", server);
        String id = api.send("compute", "POST", "/servers", body, NO_NETWORK_VERSIONS).path("server").path("id").asText();
        serverIds.add(id);
        return id;
    }

    private String createVolume(String name, String type, String imageId) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode volume = body.putObject("volume").put("name", name).put("size", 1).put("volume_type", type);
        if (imageId != null) {
            volume.put("imageRef", imageId);
        }
        String id = api.post("volumev3", "/volumes", body).path("volume").path("id").asText();
        volumeIds.add(id);
        return id;
    }

    private String flavorId(String name) {
        for (JsonNode flavor : api.get("compute", "/flavors").path("flavors")) {
            if (flavor.path("name").asText().equals(name)) {
                return flavor.path("id").asText();
            }
        }
        throw new IllegalStateException("no flavor " + name + ": is scripts/openstack-dev.sh set up?");
    }

    private String volumeStatus(String id) {
        return statusOr404("volumev3", "/volumes/" + id, "volume");
    }

    private String serverStatus(String id) {
        return statusOr404("compute", "/servers/" + id, "server");
    }

    private String statusOr404(String service, String path, String field) {
        try {
            return api.get(service, path).path(field).path("status").asText();
        } catch (OpenStackException e) {
            if (e.httpStatus() == 404) {
                return "gone";
            }
            throw e;
        }
    }

    private static void waitFor(Supplier<String> status, String wanted, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = status.get();
            if (wanted.equals(last)) {
                return;
            }
            if (last.equals("error") || last.equals("ERROR")) {
                break;
            }
            Thread.sleep(1000);
        }
        throw new IllegalStateException("status is " + last + ", not " + wanted + ", after up to " + seconds + " s");
    }

    private static void quietly(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    /** The OS_* variables that scripts/openstack-dev.sh env exports for user blockferry. */
    private static Map<String, String> openrc() throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        for (String line : run("bash", "scripts/openstack-dev.sh", "env").split("\n")) {
            if (line.startsWith("export ")) {
                String[] kv = line.substring(7).split("=", 2);
                env.put(kv[0], unquote(kv[1]));
            }
        }
        return env;
    }

    private static String unquote(String value) {
        boolean quoted = value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                || value.startsWith("\"") && value.endsWith("\""));
        return quoted ? value.substring(1, value.length() - 1) : value;
    }

    private static String rbd(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("rbd"));
        command.addAll(List.of(run("bash", "scripts/ceph-dev.sh", "admin-args").trim().split("\\s+")));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
