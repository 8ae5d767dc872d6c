package io.blockferry.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.inventory.Flavor;
import io.blockferry.inventory.ServerMetadata;
import io.blockferry.inventory.Skipped;
import io.blockferry.target.RecoveryPoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestorePlannerTest {

    private static RecoveryPoint point(String volume, long generation, String mode) {
        return new RecoveryPoint(volume, generation, "s" + generation, null, mode, 1 << 30, 0, 0, 0, 0, "d",
                RecoveryPoint.COMMITTED, 0, 0, 0, 0);
    }

    private final RestorePlanner planner = new RestorePlanner(volume -> volume.startsWith("vms/")
            ? List.of(point(volume, 1, "FULL"))
            : List.of(point(volume, 4, "FULL"), point(volume, 5, "INCREMENTAL")),
            p -> Path.of("/repo", p.volumeId().replace("/", "%2F"), "points", "g" + p.generation() + ".rbddiff"));

    private static ServerMetadata metadata(List<ServerMetadata.Disk> disks, ServerMetadata.KeypairRef key) {
        return new ServerMetadata(1, "s1", "vm1", "p1", "demo", "d1", "Default", "ACTIVE", "node1", "nova",
                new Flavor("f1", "bf.small", 1, 512, 1, Map.of("hw:cpu_policy", "shared")), null, key, List.of(),
                List.of("default"), List.of("gold"), disks,
                List.of(new Skipped("s1", "v9", "volume-type-unmapped", "not mapped")), 1000);
    }

    @Test
    void should_create_the_volumes_in_boot_order_import_each_chain_and_boot_from_them() {
        RestorePlan plan = planner.plan(metadata(List.of(
                new ServerMetadata.Disk(0, "/dev/vda", "v1", "boot", 1, "ceph-ssd", true, "volumes/volume-v1"),
                new ServerMetadata.Disk(1, "/dev/vdb", "v2", "data", 2, "ceph-hdd", false, "volumes-hdd/volume-v2")),
                new ServerMetadata.KeypairRef("k", true, "ssh", "aa:bb", "ssh-ed25519 AAAA me")));

        assertEquals(List.of("create-flavor", "create-keypair", "create-volume", "import-data", "create-volume",
                "import-data", "create-server"), plan.steps().stream().map(RestorePlan.Step::action).toList());
        assertTrue(plan.steps().get(0).commands().get(0).contains("--property 'hw:cpu_policy=shared'"));
        assertEquals("VOLUME_0=$(openstack volume create --size 1 --type 'ceph-ssd' --bootable -f value -c id 'vm1-boot')",
                plan.steps().get(2).commands().get(0));
        assertEquals(List.of(
                "rbd import-diff '/repo/volumes%2Fvolume-v1/points/g4.rbddiff' ${POOL_0:-volumes}/volume-$VOLUME_0",
                "rbd import-diff '/repo/volumes%2Fvolume-v1/points/g5.rbddiff' ${POOL_0:-volumes}/volume-$VOLUME_0"),
                plan.steps().get(3).commands());
        String create = plan.steps().get(6).commands().get(0);
        assertTrue(create.contains("--block-device uuid=$VOLUME_0,source_type=volume,destination_type=volume,boot_index=0"
                + " --block-device uuid=$VOLUME_1,source_type=volume,destination_type=volume,boot_index=1"), create);
        assertTrue(create.contains("--key-name 'k' --security-group 'default' --tag 'gold' --availability-zone 'nova'"
                + " --nic none 'vm1'"), create);
        assertEquals(1, plan.serverBody().path("server").path("block_device_mapping_v2").get(1).path("boot_index").asInt());
        assertTrue(plan.warnings().get(0).contains("v9"), plan.warnings().toString());
        // The same steps as data, for RestoreRunner.
        assertEquals(new RestorePlan.Disk(1, "/dev/vdb", "$VOLUME_1", "vm1-data", 2, "ceph-hdd", false, "volumes-hdd",
                List.of("/repo/volumes-hdd%2Fvolume-v2/points/g4.rbddiff", "/repo/volumes-hdd%2Fvolume-v2/points/g5.rbddiff")),
                plan.disks().get(1));
    }

    @Test
    void should_restore_an_image_booted_root_as_a_boot_volume_and_warn_about_a_hidden_keypair() {
        RestorePlan plan = planner.plan(metadata(List.of(
                new ServerMetadata.Disk(0, "/dev/vda", null, null, 1, null, true, "vms/s1_disk")),
                new ServerMetadata.KeypairRef("theirs", false, null, null, null)));
        assertEquals(List.of("create-flavor", "create-volume", "import-data", "create-server"),
                plan.steps().stream().map(RestorePlan.Step::action).toList());
        assertEquals(List.of("rbd import-diff '/repo/vms%2Fs1_disk/points/g1.rbddiff' ${POOL_0:-volumes}/volume-$VOLUME_0"),
                plan.steps().get(2).commands());
        assertTrue(plan.warnings().get(0).contains("keypair theirs belongs to a user Blockferry cannot see"),
                plan.warnings().toString());
    }
}
