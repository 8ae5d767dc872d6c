package io.blockferry.target.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.target.RbdDiffWriter;
import io.blockferry.target.Replica;
import io.blockferry.target.ReplicaContract;
import io.blockferry.target.Repository;
import io.blockferry.testing.DiskUsage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** The sparse-file replica passes the replica contract, and frees trimmed space. */
class FileReplicaTest extends ReplicaContract {

    @Override
    protected Replica newReplica(String volumeId) {
        return new FileReplica(new Repository(dir.resolve("repository")), volumeId);
    }

    @Test
    void should_free_the_space_of_a_trim_instead_of_writing_zeros() throws Exception {
        int mib = 1 << 20;
        Repository repository = new Repository(dir.resolve("repository"));
        FileReplica replica = new FileReplica(repository, "volumes/trim");
        byte[] data = new byte[mib];
        new java.util.Random(3).nextBytes(data);
        try (Replica.FullBuild build = replica.build(1, 64L * mib)) {
            for (int i = 0; i < 32; i++) {
                build.write((long) i * mib, ByteBuffer.wrap(data));
            }
            build.force();
        }
        replica.install(1);
        long written = DiskUsage.allocatedBytes(repository.replica("volumes/trim"));
        var trim = dir.resolve("g2.rbddiff");
        try (RbdDiffWriter w = RbdDiffWriter.create(trim, "s1", "s2", 64L * mib)) {
            w.zero(0, 32L * mib);
            w.end();
        }
        replica.apply(2, trim);
        long trimmed = DiskUsage.allocatedBytes(repository.replica("volumes/trim"));

        assertTrue(written >= 32L * mib, "the data is allocated: " + written);
        assertTrue(trimmed < mib, "the trimmed 32 MiB are holes, not zeros: " + trimmed + " bytes allocated");
        assertEquals(64L * mib, Files.size(repository.replica("volumes/trim")));
    }

    @Test
    void should_build_the_new_replica_beside_the_points_not_over_the_old_one() {
        Repository repository = new Repository(dir.resolve("repository"));
        FileReplica replica = new FileReplica(repository, "volumes/where");
        try (Replica.FullBuild build = replica.build(7, 4096)) {
            build.write(0, ByteBuffer.wrap(new byte[] {1}));
        }
        assertTrue(Files.exists(repository.stagingReplica("volumes/where", 7)));
        assertTrue(!Files.exists(repository.replica("volumes/where")), "no replica until it is installed");
    }
}
