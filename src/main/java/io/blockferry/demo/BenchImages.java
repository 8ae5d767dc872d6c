package io.blockferry.demo;

import io.blockferry.config.Settings;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import io.blockferry.ceph.RbdImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The benchmark's images, on a Ceph connection of its own (Blockferry's user and keyring), so they
 * can be made before a runtime starts and removed after it stopped holding them open. Every image
 * made here is removed with all its snapshots by {@link #removeAll} or {@link #close}.
 */
final class BenchImages implements AutoCloseable {

    static final String POOL = "volumes";
    private static final int BLOCK = 4 << 20;
    static final int SMALL_WRITE = 4096;

    private final CephCluster ceph;
    private final RbdImages rbd;
    private final Set<String> made = new LinkedHashSet<>();

    private BenchImages(CephCluster ceph) {
        this.ceph = ceph;
        this.rbd = new RbdImages(ceph, POOL);
    }

    static BenchImages connect(Settings settings) {
        return new BenchImages(CephCluster.connect(new CephSettings(settings.path("blockferry.ceph.conf"),
                settings.text("blockferry.ceph.id"), settings.find("blockferry.ceph.keyring").map(Path::of).orElse(null),
                settings.integer("blockferry.ceph.timeout-seconds"))));
    }

    static String volumeId(String image) {
        return POOL + "/" + image;
    }

    /** An empty image of 2^order-byte objects (22: 4 MiB, as Cinder makes them). */
    synchronized void create(String name, long size, int order) {
        made.add(name);
        DemoImages.recreate(rbd, name, size, order);
    }

    /**
     * A new image with random data in three of every four 4 MiB blocks, chosen at random; the rest
     * stay holes. The same seed gives the same bytes, so every broker mode syncs the same images.
     *
     * @return the bytes written
     */
    long createWithHoles(String name, long size, long seed) {
        create(name, size, 22);
        long[] written = new long[1];
        rbd.write(name, image -> {
            Random random = new Random(seed);
            byte[] block = new byte[BLOCK];
            for (long offset = 0; offset < size; offset += BLOCK) {
                if (random.nextInt(4) != 0) {
                    random.nextBytes(block);
                    int length = (int) Math.min(BLOCK, size - offset);
                    image.write(block, offset, length);
                    written[0] += length;
                }
            }
        });
        return written[0];
    }

    /** 64 KiB random blocks at random 64 KiB-aligned offsets until a tenth of the image was written. */
    void changeTenPercent(String name, long size, long seed) {
        DemoImages.changeTenPercent(rbd, name, size, 64 << 10, seed);
    }

    /** Random 4 KiB blocks at the given offsets. */
    void writeSmall(String name, Iterable<Long> offsets, long seed) {
        rbd.write(name, image -> {
            Random random = new Random(seed);
            byte[] data = new byte[SMALL_WRITE];
            for (long offset : offsets) {
                random.nextBytes(data);
                image.write(data, offset, SMALL_WRITE);
            }
        });
    }

    /**
     * 64 KiB of random bytes in {@code percent}% of the image's 1 MiB chunks, chosen at random.
     *
     * @return how many chunks were changed
     */
    int changeChunks(String name, long size, int percent, long seed) {
        int mib = 1 << 20;
        long chunks = size / mib;
        java.util.Set<Long> chosen = new java.util.TreeSet<>();
        Random random = new Random(seed);
        while (chosen.size() < Math.max(1, chunks * percent / 100)) {
            chosen.add((long) (random.nextDouble() * chunks));
        }
        rbd.write(name, image -> {
            byte[] data = new byte[64 << 10];
            for (long chunk : chosen) {
                random.nextBytes(data);
                image.write(data, chunk * mib + 4096, data.length);
            }
        });
        return chosen.size();
    }

    /** Removes one snapshot, as an operator's {@code rbd snap rm}. */
    void removeSnapshot(String name, String snapshot) {
        rbd.removeSnapshot(name, snapshot);
    }

    void snapshot(String name, String snapshot) {
        rbd.snapshot(name, snapshot);
    }

    /** The SHA-256 of the image at a snapshot, read through librbd. */
    String sha256(String name, String snapshot, long size) {
        return Checksums.sha256(ceph, POOL, name, snapshot, size);
    }

    /** Removes an image made here, with every snapshot on it (Blockferry's too). */
    synchronized void remove(String name) {
        DemoImages.removeWithSnapshots(rbd, name);
        made.remove(name);
    }

    /**
     * Removes an image now if it can be; one still held open (by a sync that was given up on) stays
     * listed for {@link #removeAll}, after the runtime has stopped.
     */
    void removeIfFree(String name) {
        try {
            remove(name);
        } catch (RuntimeException e) {
            // removeAll retries it
        }
    }

    /** Removes every image made here; one that cannot be removed is named, and the rest still go. */
    synchronized List<String> removeAll() {
        List<String> left = new ArrayList<>();
        for (String name : List.copyOf(made)) {
            try {
                remove(name);
            } catch (RuntimeException e) {
                left.add(POOL + "/" + name + " (" + e.getMessage() + ")");
            }
        }
        return left;
    }

    @Override
    public void close() {
        List<String> left = removeAll();
        ceph.close();
        if (!left.isEmpty()) {
            throw new IllegalStateException("could not remove the benchmark's images " + left
                    + ": remove them with rbd snap purge and rbd rm");
        }
    }
}
