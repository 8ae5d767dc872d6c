package io.blockferry.demo;

import io.blockferry.ceph.RbdImages;
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
    static final long FEATURES = RbdImages.FEATURES;

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
    static void recreate(RbdImages rbd, String name, long size) {
        rbd.recreate(name, size, 22);
    }

    /** The same with objects of 2^order bytes. */
    static void recreate(RbdImages rbd, String name, long size, int order) {
        rbd.recreate(name, size, order);
    }

    static void removeWithSnapshots(RbdImages rbd, String name) {
        rbd.removeWithSnapshots(name);
    }

    /**
     * Writes random blocks of {@code block} bytes at random block-aligned offsets until a tenth of
     * the image has been written (some blocks may be written twice).
     */
    static void changeTenPercent(RbdImages rbd, String name, long size, int block, long seed) {
        rbd.write(name, image -> {
            Random random = new Random(seed);
            byte[] data = new byte[block];
            long slots = size / block;
            for (long written = 0; written < size / 10; written += block) {
                random.nextBytes(data);
                image.write(data, (long) (random.nextDouble() * slots) * block, block);
            }
        });
    }
}
