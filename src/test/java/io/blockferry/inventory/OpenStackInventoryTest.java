package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.testing.LocalCeph;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    private static final String TAG = "blockferry-it";

    private final String prefix = "bf-inv-it-" + UUID.randomUUID().toString().substring(0, 8);
    private TestCloud cloud;
    private Map<String, String> openrc;
    private OpenStackApi api;
    private String bootVolumeId;
    private String dataVolumeId;
    private String volumeServerId;
    private String imageServerId;
    private Inventory inventory;

    @BeforeAll
    void createServersAndPoll() {
        cloud = TestCloud.demo();
        openrc = cloud.openrc;
        api = cloud.api;
        String imageId = cloud.imageId("cirros-fake");
        String flavorId = cloud.flavorId("bf.small");

        bootVolumeId = cloud.createVolume(prefix + "-boot", "ceph-ssd", 1, imageId);
        dataVolumeId = cloud.createVolume(prefix + "-data", "ceph-hdd", 1, null);
        cloud.awaitVolume(bootVolumeId, "available");
        cloud.awaitVolume(dataVolumeId, "available");
        volumeServerId = cloud.bootFromVolume(prefix + "-bfv", flavorId, bootVolumeId);
        imageServerId = cloud.bootFromImage(prefix + "-img", flavorId, imageId);
        cloud.awaitServer(volumeServerId, "ACTIVE");
        cloud.awaitServer(imageServerId, "ACTIVE");
        cloud.attach(volumeServerId, dataVolumeId);
        cloud.tag(volumeServerId, TAG);

        inventory = new InventoryPoller(api, true, Clock.systemUTC()).poll();
    }

    @AfterAll
    void deleteEverything() {
        if (cloud != null) {
            cloud.close();
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
            String info = LocalCeph.rbd("info", disk.imageSpec());
            assertTrue(info.contains("rbd image '" + disk.image() + "'"), info);
            assertTrue(info.contains("size 1 GiB"), info);
        }
        // Nova's fake driver creates no disk for an image-booted server. Libvirt's RBD image backend
        // would create vms/<uuid>_disk at the flavor's size; the test creates that image itself to
        // stand for it, so the mapped name is read back from Ceph like the others.
        MappedDisk root = mapping.disksOf(imageServerId).get(0);
        LocalCeph.rbd("create", "--size", root.sizeGb() + "G", root.imageSpec());
        try {
            String info = LocalCeph.rbd("info", root.imageSpec());
            assertTrue(info.contains("rbd image '" + imageServerId + "_disk'"), info);
            assertTrue(info.contains("size 1 GiB"), info);
        } finally {
            LocalCeph.removeImage(root.pool(), root.image());
        }
    }

    @Test
    void should_list_the_image_the_server_booted_from_and_the_projects() {
        Server fromImage = inventory.server(imageServerId).orElseThrow();
        assertEquals("cirros-fake", inventory.image(fromImage.bootSource().id()).orElseThrow().name());
        assertEquals(List.of(), inventory.portsOf(imageServerId), "the servers have no network");
        assertTrue(inventory.volumes().stream().anyMatch(v -> v.id().equals(bootVolumeId)));
        assertEquals(List.of(), inventory.snapshotsOf(bootVolumeId));
    }

    @Test
    void should_poll_with_the_reader_role_alone_naming_project_and_domain() {
        Map<String, String> env = new HashMap<>(openrc);
        env.put("OS_USERNAME", "blockferry-reader");
        env.put("OS_PASSWORD", TestCloud.password("blockferry-reader"));
        OpenStackLogin reader = new OpenStackLogin("default", OpenStackSettings.fromEnvironment(env), false);
        Inventory seen = new CloudPoller(List.of(reader), false, Clock.systemUTC()).poll(Inventory.empty()).inventory();

        Server bfv = seen.server(volumeServerId).orElseThrow();
        assertEquals("blockferry-demo", bfv.projectName());
        assertEquals("Default", bfv.domainName());
        assertEquals(List.of(TAG), bfv.tags());
        assertEquals(null, bfv.host(), "only an admin sees the compute host");
        assertEquals("ceph-hdd", seen.volume(dataVolumeId).orElseThrow().type());
        assertEquals("bf.small", seen.flavor(bfv.flavorId()).orElseThrow().name());
    }

    @Test
    void should_poll_every_project_of_an_unscoped_credential() {
        Map<String, String> env = new HashMap<>(openrc);
        env.remove("OS_PROJECT_NAME");
        env.remove("OS_PROJECT_DOMAIN_NAME");
        OpenStackLogin everyDomain = new OpenStackLogin("*", OpenStackSettings.fromEnvironment(env, false), false);
        Inventory seen = new CloudPoller(List.of(everyDomain), false, Clock.systemUTC()).poll(Inventory.empty())
                .inventory();
        assertTrue(seen.server(volumeServerId).isPresent() && seen.server(imageServerId).isPresent(),
                seen.servers().toString());
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

}
