package io.blockferry.demo;

import io.blockferry.ceph.CephCluster;
import io.blockferry.source.BlockReader;
import io.blockferry.source.VolumeId;
import io.blockferry.source.rbd.RbdBlockSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** SHA-256 of a snapshot read through librbd, and of a replica file, read in 4 MiB blocks. */
public final class Checksums {

    private static final int BLOCK = 4 << 20;

    private Checksums() {
    }

    public static String sha256(CephCluster ceph, String pool, String image, String snapshot, long size) {
        try (BlockReader reader = RbdBlockSource.snapshotReader(ceph, new VolumeId(null, pool, image), snapshot)) {
            return sha256(reader, size);
        }
    }

    /** The first {@code size} bytes of what {@code reader} reads (a DR replica's head, say). */
    public static String sha256(BlockReader reader, long size) {
        MessageDigest sha = sha256();
        byte[] block = new byte[BLOCK];
        for (long offset = 0; offset < size; offset += BLOCK) {
            int n = (int) Math.min(BLOCK, size - offset);
            reader.read(offset, java.nio.ByteBuffer.wrap(block, 0, n));
            sha.update(block, 0, n);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] block = new byte[BLOCK];
            for (int n; (n = in.read(block)) > 0; ) {
                sha.update(block, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        return io.blockferry.transport.Sha256.create();
    }
}
