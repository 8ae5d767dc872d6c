package io.blockferry.inventory;

import static io.blockferry.inventory.Fixtures.active;
import static io.blockferry.inventory.Fixtures.bootVolume;
import static io.blockferry.inventory.Fixtures.inventory;
import static io.blockferry.inventory.Fixtures.server;
import static io.blockferry.inventory.Fixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiskMapperTest {

    private final DiskMapper mapper = new DiskMapper(new CephPoolMap(Map.of(
            "ceph-ssd", "volumes", "ceph-hdd", "volumes-hdd", CephPoolMap.DEFAULT_VOLUME_TYPE, "volumes-default",
            CephPoolMap.CEPH_GLANCE_VMS, "ephemeral")), new SkipRules());

    @Test
    void should_put_the_boot_volume_first_and_data_volumes_in_device_order() {
        Server vm = active("s1", BootSource.volume("boot"),
                new ServerVolume("data-c", "/dev/vdc"), new ServerVolume("boot", "/dev/vda"),
                new ServerVolume("data-b", "/dev/vdb"));
        DiskMapping mapping = mapper.map(inventory(List.of(vm), List.of(
                volume("data-c", "ceph-hdd", 3, "s1", "/dev/vdc"), bootVolume("boot", "ceph-ssd", 1, "s1"),
                volume("data-b", "ceph-ssd", 2, "s1", "/dev/vdb"))));

        assertEquals(List.of(
                new MappedDisk("s1", "/dev/vda", "boot", "volumes", "volume-boot", 1, true),
                new MappedDisk("s1", "/dev/vdb", "data-b", "volumes", "volume-data-b", 2, false),
                new MappedDisk("s1", "/dev/vdc", "data-c", "volumes-hdd", "volume-data-c", 3, false)),
                mapping.disksOf("s1"));
        assertEquals(List.of(), mapping.skipped());
    }

    @Test
    void should_map_an_image_booted_root_disk_to_the_glance_vms_pool() {
        Server vm = active("s2", BootSource.image("img"), new ServerVolume("d", "/dev/vdb"));
        DiskMapping mapping = mapper.map(inventory(List.of(vm), List.of(volume("d", "ceph-ssd", 5, "s2", "/dev/vdb"))));

        assertEquals(List.of(
                new MappedDisk("s2", "/dev/vda", null, "ephemeral", "s2_disk", 1, true),
                new MappedDisk("s2", "/dev/vdb", "d", "volumes", "volume-d", 5, false)), mapping.disksOf("s2"));
    }

    @Test
    void should_use_vms_when_no_glance_vms_entry_is_configured() {
        DiskMapper defaults = new DiskMapper(new CephPoolMap(Map.of("ceph-ssd", "volumes")), new SkipRules());
        DiskMapping mapping = defaults.map(inventory(List.of(active("s3", BootSource.image("img"))), List.of()));

        assertEquals("vms/s3_disk", mapping.disksOf("s3").get(0).imageSpec());
    }

    @Test
    void should_map_a_volume_without_type_through_the_default_volume_type_entry() {
        Server vm = active("s4", BootSource.image("img"), new ServerVolume("untyped", "/dev/vdb"));
        DiskMapping mapping = mapper.map(inventory(List.of(vm), List.of(volume("untyped", null, 1, "s4", "/dev/vdb"))));

        assertEquals("volumes-default/volume-untyped", mapping.disksOf("s4").get(1).imageSpec());
    }

    @Test
    void should_skip_a_volume_whose_type_has_no_pool_and_keep_the_other_disks() {
        Server vm = active("s5", BootSource.volume("boot"), new ServerVolume("boot", "/dev/vda"),
                new ServerVolume("lvm", "/dev/vdb"));
        DiskMapping mapping = mapper.map(inventory(List.of(vm), List.of(bootVolume("boot", "ceph-ssd", 1, "s5"),
                volume("lvm", "lvm-unmapped", 1, "s5", "/dev/vdb"))));

        assertEquals(List.of("volumes/volume-boot"), mapping.disksOf("s5").stream().map(MappedDisk::imageSpec).toList());
        assertEquals(1, mapping.skipped().size());
        Skipped skipped = mapping.skipped().get(0);
        assertEquals("s5", skipped.serverId());
        assertEquals("lvm", skipped.volumeId());
        assertEquals(SkipReason.VOLUME_TYPE_UNMAPPED, skipped.reason());
        assertTrue(skipped.message().contains("'lvm-unmapped'"), skipped.message());
    }

    @Test
    void should_skip_an_untyped_volume_when_there_is_no_default_entry() {
        DiskMapper noDefault = new DiskMapper(new CephPoolMap(Map.of("ceph-ssd", "volumes")), new SkipRules());
        Server vm = active("s6", BootSource.image("img"), new ServerVolume("untyped", "/dev/vdb"));
        DiskMapping mapping = noDefault.map(inventory(List.of(vm), List.of(volume("untyped", "", 1, "s6", "/dev/vdb"))));

        assertEquals(SkipReason.VOLUME_TYPE_UNMAPPED, mapping.skipped().get(0).reason());
        assertEquals(1, mapping.disksOf("s6").size());
    }

    @Test
    void should_skip_a_suspended_server_with_all_its_disks() {
        Server vm = server("s7", "SUSPENDED", null, BootSource.volume("boot"), new ServerVolume("boot", "/dev/vda"));
        DiskMapping mapping = mapper.map(inventory(List.of(vm), List.of(bootVolume("boot", "ceph-ssd", 1, "s7"))));

        assertEquals(List.of(), mapping.disksOf("s7"));
        assertEquals(List.of(SkipReason.SERVER_SUSPENDED), mapping.skipped().stream().map(Skipped::reason).toList());
    }

    @Test
    void should_skip_an_attached_volume_cinder_did_not_list() {
        Server vm = active("s8", BootSource.image("img"), new ServerVolume("foreign", "/dev/vdb"));
        DiskMapping mapping = mapper.map(inventory(List.of(vm), List.of()));

        assertEquals(SkipReason.VOLUME_NOT_VISIBLE, mapping.skipped().get(0).reason());
        assertEquals("foreign", mapping.skipped().get(0).volumeId());
    }

    @Test
    void should_order_devices_like_the_guest_does() {
        List<String> devices = new java.util.ArrayList<>(List.of("/dev/vdaa", "/dev/vdz", "/dev/vdb"));
        devices.sort(DiskMapper.DEVICE_ORDER);
        assertEquals(List.of("/dev/vdb", "/dev/vdz", "/dev/vdaa"), devices);
    }
}
