package io.blockferry.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file steps of pruning a volume's recovery points (the order is in {@link Retention}). Each
 * rename is atomic and each finished step is made durable with an fsync of the directory.
 */
final class PointFiles {

    private final Repository repository;

    PointFiles(Repository repository) {
        this.repository = repository;
    }

    /** The merged manifest, then the merged diff (whose presence marks an unfinished merge), replace the point's own. */
    void moveMergedIntoPlace(String volumeId, long generation) {
        move(repository.mergedManifest(volumeId, generation), repository.pointManifest(volumeId, generation));
        move(repository.mergedDiff(volumeId, generation), repository.pointDiff(volumeId, generation));
        Repository.syncDirectory(repository.pointDiff(volumeId, generation).getParent());
    }

    /** Removes a merge that never counted: the manifest first, the diff that marks it last. */
    void discardMerged(String volumeId, long generation) {
        deleteIfExists(repository.mergedManifest(volumeId, generation));
        deleteIfExists(repository.mergedDiff(volumeId, generation));
    }

    /** Removes a point's diff and manifest. */
    void deletePoint(String volumeId, long generation) {
        deleteIfExists(repository.pointManifest(volumeId, generation));
        deleteIfExists(repository.pointDiff(volumeId, generation));
    }

    static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    private static void move(Path from, Path to) {
        try {
            if (Files.exists(from)) {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
    }
}
