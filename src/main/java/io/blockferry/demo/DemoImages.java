package io.blockferry.demo;

import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import io.blockferry.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/** Shared set-up of the demo and the benchmark: a private data directory and fresh RBD images. */
final class DemoImages {

    /** layering, exclusive-lock, object-map, fast-diff: the features Cinder gives volumes. */
    static final long FEATURES = 1L | 4L | 8L | 16L;

    private DemoImages() {
    }

    /** Both roles in one process, an embedded Kafka on free ports, under DATA_DIR/NAME. */
    static Settings isolated(Settings settings, String name) {
        return settings.with("blockferry.data-dir", Path.of(settings.text("blockferry.data-dir"), name).toString())
                .with("blockferry.roles", "source,target")
                .with("blockferry.kafka.embedded.port", "0")
                .with("blockferry.kafka.embedded.controller-port", "0")
                .with("blockferry.source.volumes", "")
                .with("camel.server.enabled", "false")
                .with("camel.management.enabled", "false");
    }

    static void wipe(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Removes the image with all its snapshots if it exists, then creates it empty, with 4 MiB objects. */
    static void recreate(Rbd rbd, String name, long size) throws RbdException {
        recreate(rbd, name, size, 22);
    }

    /** The same with objects of 2^order bytes. */
    static void recreate(Rbd rbd, String name, long size, int order) throws RbdException {
        removeWithSnapshots(rbd, name);
        rbd.create(name, size, FEATURES, order);
    }

    static void removeWithSnapshots(Rbd rbd, String name) throws RbdException {
        if (!Arrays.asList(rbd.list()).contains(name)) {
            return;
        }
        RbdImage image = rbd.open(name);
        try {
            for (var snap : image.snapList()) {
                image.snapRemove(snap.name);
            }
        } finally {
            rbd.close(image);
        }
        rbd.remove(name);
    }

    /**
     * Writes random blocks of {@code block} bytes at random block-aligned offsets until a tenth of
     * the image has been written (some blocks may be written twice).
     */
    static void changeTenPercent(Rbd rbd, String name, long size, int block, long seed) throws RbdException {
        RbdImage image = rbd.open(name);
        try {
            Random random = new Random(seed);
            byte[] data = new byte[block];
            long slots = size / block;
            for (long written = 0; written < size / 10; written += block) {
                random.nextBytes(data);
                image.write(data, (long) (random.nextDouble() * slots) * block, block);
            }
        } finally {
            rbd.close(image);
        }
    }
}
