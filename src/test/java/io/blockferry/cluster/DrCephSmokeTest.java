package io.blockferry.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephException;
import io.blockferry.ceph.CephSettings;
import io.blockferry.testing.DrCeph;
import io.blockferry.testing.LocalCeph;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The DR Ceph of scripts/ceph-dev.sh --cluster dr: usable by the DR writer, and apart from the primary. */
@Tag("cluster")
class DrCephSmokeTest {

    private static final long FEATURES = 1L | 4L | 8L | 16L; // layering, exclusive-lock, object-map, fast-diff
    private static final int MIB = 1 << 20;

    @Test
    void should_keep_an_image_written_as_the_dr_user_on_the_dr_cluster_only() throws Exception {
        String image = "smoke-" + UUID.randomUUID();
        long size = 12L * MIB; // three 4 MiB objects
        byte[] expected = new byte[(int) size];
        Random random = new Random(42);
        try (CephCluster dr = CephCluster.connect(DrCeph.writerSettings())) {
            Rbd rbd = dr.rbd(DrCeph.VOLUMES);
            rbd.create(image, size, FEATURES, 22);
            RbdImage img = rbd.open(image);
            try {
                // data in the first and last object, a hole in the middle one, an unaligned tail
                write(img, expected, random, 0, MIB);
                write(img, expected, random, 9L * MIB + 4096, 2 * MIB + 123);
                img.snapCreate("s1");
                // after the snapshot: the head moves on, the snapshot must not
                write(img, new byte[(int) size], random, 0, 4096);
            } finally {
                rbd.close(img);
            }
        }
        try {
            String sha = sha256(expected);
            assertEquals(sha, DrCeph.exportSha256(DrCeph.VOLUMES, image, "s1"),
                    "rbd export of the snapshot on the DR cluster returns what was written through librbd");
            assertNotEquals(sha, DrCeph.exportSha256(DrCeph.VOLUMES, image, null), "the head changed after s1");
            assertEquals(List.of("s1"), DrCeph.snapshots(DrCeph.VOLUMES, image));
            assertTrue(DrCeph.images(DrCeph.VOLUMES).contains(image));

            // The primary is another cluster: another fsid, no such image in its pools, and no key
            // for the DR writer. (A pool of the DR pool's name may exist on the primary: the
            // OpenStack of scripts/openstack-dev.sh makes its own Ceph a DR site too.)
            String primaryFsid = LocalCeph.run(List.of("ceph", "--conf", LocalCeph.conf().toString(), "--id", "admin",
                    "fsid"), 60).trim();
            assertNotEquals(primaryFsid, DrCeph.fsid());
            List<String> primaryPools = List.of(LocalCeph.run(List.of("ceph", "--conf", LocalCeph.conf().toString(),
                    "--id", "admin", "osd", "pool", "ls"), 60).split("\n"));
            List<String> rbdPools = primaryPools.stream()
                    .filter(pool -> List.of("volumes", "vms", "backup", DrCeph.VOLUMES).contains(pool)).toList();
            assertTrue(rbdPools.contains("volumes"), "primary pools: " + primaryPools);
            for (String pool : rbdPools) {
                assertFalse(List.of(LocalCeph.rbd("ls", pool).split("\n")).contains(image), "image seen in primary " + pool);
            }
            CephException refused = assertThrows(CephException.class, () -> CephCluster.connect(
                    new CephSettings(LocalCeph.conf(), DrCeph.user(), DrCeph.keyring(), 10)).close());
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
        } finally {
            DrCeph.removeImage(DrCeph.VOLUMES, image);
        }
        assertFalse(DrCeph.images(DrCeph.VOLUMES).contains(image));
    }

    private static void write(RbdImage img, byte[] mirror, Random random, long offset, int length) throws RbdException {
        byte[] data = new byte[length];
        random.nextBytes(data);
        img.write(data, offset, length);
        System.arraycopy(data, 0, mirror, (int) offset, length);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
