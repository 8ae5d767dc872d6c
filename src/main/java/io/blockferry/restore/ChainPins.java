package io.blockferry.restore;

import io.blockferry.store.OwnerOnly;
import io.blockferry.target.RecoveryPoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A restore's own view of the chains it reads: each diff of a volume's current chain hard-linked
 * into {@code REPO/.restores/<job>/}, taken under the volume's lock (which retention holds while it
 * switches the catalog and renames point files), so a prune or a commit during a long restore can
 * neither remove a file the restore still needs nor swap it for a merged one. The links share the
 * points' data: pinning copies nothing. They go when the restore ends, and at start any left by a
 * stopped process.
 */
public final class ChainPins {

    private final Path root;
    private final Function<String, List<RecoveryPoint>> chainOf;
    private final Function<RecoveryPoint, Path> diffOf;
    private final Function<String, Object> locks;

    /**
     * @param repository the repository root (links must be on its file system)
     * @param locks      each volume's lock, the one retention and the writer hold
     */
    public ChainPins(Path repository, Function<String, List<RecoveryPoint>> chainOf, Function<RecoveryPoint, Path> diffOf,
                     Function<String, Object> locks) {
        this.root = repository.resolve(".restores");
        this.chainOf = chainOf;
        this.diffOf = diffOf;
        this.locks = locks;
        remove(root);
    }

    /** The chains of a job's volumes, as pinned: plan the restore with {@link #chainOf} and {@link #diffOf}. */
    public final class Pinned implements AutoCloseable {
        private final Path dir;
        private final Map<String, List<RecoveryPoint>> chains = new HashMap<>();
        private final Map<RecoveryPoint, Path> links = new HashMap<>();

        private Pinned(Path dir) {
            this.dir = dir;
        }

        public List<RecoveryPoint> chainOf(String volumeId) {
            return chains.getOrDefault(volumeId, List.of());
        }

        public Path diffOf(RecoveryPoint point) {
            return links.get(point);
        }

        /** Where the links are. */
        public Path dir() {
            return dir;
        }

        @Override
        public void close() {
            remove(dir);
        }
    }

    /** Pins the current chain of each volume for the job {@code jobId}. */
    public Pinned pin(String jobId, List<String> volumeIds) {
        Pinned pinned = new Pinned(root.resolve(jobId));
        try {
            OwnerOnly.createDirectories(pinned.dir);
            int n = 0;
            for (String volumeId : volumeIds) {
                if (pinned.chains.containsKey(volumeId)) {
                    continue;
                }
                List<RecoveryPoint> chain;
                synchronized (locks.apply(volumeId)) {
                    chain = chainOf.apply(volumeId);
                    for (RecoveryPoint point : chain) {
                        Path link = pinned.dir.resolve(String.format("v%03d-g%06d.rbddiff", n, point.generation()));
                        Files.createLink(link, diffOf.apply(point));
                        pinned.links.put(point, link);
                    }
                }
                n++;
                pinned.chains.put(volumeId, chain);
            }
            return pinned;
        } catch (IOException e) {
            pinned.close();
            throw new UncheckedIOException("cannot pin the recovery points of the restore in " + pinned.dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static void remove(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the restore's links in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The pinned directories (tests). */
    List<Path> pinnedDirs() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return new ArrayList<>(dirs.toList());
        }
    }
}
