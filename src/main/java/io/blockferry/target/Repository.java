package io.blockferry.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The on-disk layout of the local repository target:
 * <pre>
 * REPO/VOLUME/replica.img                  the latest recovery point, as a sparse raw image
 * REPO/VOLUME/points/gNNNNNN.rbddiff       each recovery point as an rbd export-diff v1 file
 * REPO/VOLUME/points/gNNNNNN.manifest      what each record changed, with its CRC32C
 * REPO/VOLUME/points/gNNNNNN.*.merged      a point merged with the one before it, until it replaces it
 * REPO/VOLUME/staging/gNNNNNN.*.part       a generation still arriving (a full one also builds its
 *                                          new replica here, gNNNNNN.img.part)
 * </pre>
 * VOLUME is the URL-encoded volume id, so {@code volumes/disk1} becomes {@code volumes%2Fdisk1}.
 */
public final class Repository {

    private static final String MERGED = ".merged";
    private static final Pattern GENERATION = Pattern.compile("g(\\d+)\\.(rbddiff|manifest)");

    private final Path root;

    public Repository(Path root) {
        this.root = root;
        try {
            io.blockferry.store.OwnerOnly.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the repository directory " + root.toAbsolutePath()
                    + ": set blockferry.target.repository-dir to a writable directory", e);
        }
    }

    /**
     * The volume's directory: its id URL-encoded. An id that would not stay inside the repository
     * ({@code .}, {@code ..}, empty, or too long for a file name) is refused.
     */
    public Path volumeDir(String volumeId) {
        String name = URLEncoder.encode(volumeId, StandardCharsets.UTF_8);
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.length() > 255) {
            throw new IllegalArgumentException("'" + volumeId + "' is not a volume id this repository can hold");
        }
        return root.resolve(name);
    }

    public Path root() {
        return root;
    }

    public Path replica(String volumeId) {
        return volumeDir(volumeId).resolve("replica.img");
    }

    /** The SHA-256 of each chunk of the replica at its newest point (see {@link ChunkSums}). */
    public Path chunkSums(String volumeId) {
        return volumeDir(volumeId).resolve("chunk-sums");
    }

    public Path stagingDiff(String volumeId, long generation) {
        return dir(volumeId, "staging").resolve(name(generation) + ".rbddiff.part");
    }

    public Path stagingManifest(String volumeId, long generation) {
        return dir(volumeId, "staging").resolve(name(generation) + ".manifest.part");
    }

    /** A full generation's new replica, built while it arrives. */
    public Path stagingReplica(String volumeId, long generation) {
        return dir(volumeId, "staging").resolve(name(generation) + ".img.part");
    }

    public Path pointDiff(String volumeId, long generation) {
        return dir(volumeId, "points").resolve(name(generation) + ".rbddiff");
    }

    public Path pointManifest(String volumeId, long generation) {
        return dir(volumeId, "points").resolve(name(generation) + ".manifest");
    }

    /** Where the merge of a point with the one before it is written before it replaces the point's diff. */
    public Path mergedDiff(String volumeId, long generation) {
        return merged(pointDiff(volumeId, generation));
    }

    public Path mergedManifest(String volumeId, long generation) {
        return merged(pointManifest(volumeId, generation));
    }

    public static boolean isMerged(Path file) {
        return file.getFileName().toString().endsWith(MERGED);
    }

    /** The files of a volume's points directory, merged ones included. */
    public List<Path> pointFiles(String volumeId) {
        if (!Files.isDirectory(dir(volumeId, "points"))) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir(volumeId, "points"))) {
            return files.filter(f -> GENERATION.matcher(f.getFileName().toString()).lookingAt()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the points of " + volumeId, e);
        }
    }

    /** The generation a point file belongs to, from its name. */
    public static long generationOf(Path file) {
        Matcher m = GENERATION.matcher(file.getFileName().toString());
        if (!m.lookingAt()) {
            throw new IllegalArgumentException(file + " is not a recovery point file");
        }
        return Long.parseLong(m.group(1));
    }

    /** Told of every directory made durable: tests of the commit protocol check which ones (power loss cannot be). */
    static volatile java.util.function.Consumer<Path> directorySynced = dir -> { };

    /** Makes the creation, renaming and removal of files in a directory durable (fsync of the directory). */
    public static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("fsync of directory " + dir + " failed", e);
        }
        directorySynced.accept(dir);
    }

    private static Path merged(Path file) {
        return file.resolveSibling(file.getFileName() + MERGED);
    }

    private Path dir(String volumeId, String kind) {
        return volumeDir(volumeId).resolve(kind);
    }

    /**
     * Creates the volume's directories before anything is written there. Paths are never created
     * as a side effect of asking for them, so a check does not recreate a directory that went away.
     */
    public void ensureDirectories(String volumeId) {
        for (String kind : List.of("staging", "points")) {
            Path dir = dir(volumeId, kind);
            try {
                io.blockferry.store.OwnerOnly.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private static String name(long generation) {
        return String.format("g%06d", generation);
    }
}
