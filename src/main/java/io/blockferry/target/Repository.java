package io.blockferry.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The on-disk layout of the local repository target:
 * <pre>
 * REPO/VOLUME/replica.img                  the latest recovery point, as a sparse raw image
 * REPO/VOLUME/points/gNNNNNN.rbddiff       each recovery point as an rbd export-diff v1 file
 * REPO/VOLUME/points/gNNNNNN.manifest      what each record changed, with its CRC32C
 * REPO/VOLUME/staging/gNNNNNN.*.part       a generation still arriving
 * </pre>
 * VOLUME is the URL-encoded volume id, so {@code volumes/disk1} becomes {@code volumes%2Fdisk1}.
 */
public final class Repository {

    private final Path root;

    public Repository(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the repository directory " + root.toAbsolutePath()
                    + ": set blockferry.target.repository-dir to a writable directory", e);
        }
    }

    public Path volumeDir(String volumeId) {
        return root.resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8));
    }

    public Path replica(String volumeId) {
        return volumeDir(volumeId).resolve("replica.img");
    }

    public Path stagingDiff(String volumeId, long generation) {
        return dir(volumeId, "staging").resolve(name(generation) + ".rbddiff.part");
    }

    public Path stagingManifest(String volumeId, long generation) {
        return dir(volumeId, "staging").resolve(name(generation) + ".manifest.part");
    }

    public Path pointDiff(String volumeId, long generation) {
        return dir(volumeId, "points").resolve(name(generation) + ".rbddiff");
    }

    public Path pointManifest(String volumeId, long generation) {
        return dir(volumeId, "points").resolve(name(generation) + ".manifest");
    }

    private Path dir(String volumeId, String kind) {
        Path dir = volumeDir(volumeId).resolve(kind);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        return dir;
    }

    private static String name(long generation) {
        return String.format("g%06d", generation);
    }
}
