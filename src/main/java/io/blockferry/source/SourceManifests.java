package io.blockferry.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The source's record of what each generation in a volume's current chain sent (the last full
 * and the incrementals acked since), one manifest file per generation. Sampled diff verification
 * compares the disk with them.
 */
public final class SourceManifests {

    private final Path root;

    public SourceManifests(Path root) {
        this.root = root;
    }

    public Path file(String volumeId, long generation) {
        return dir(volumeId).resolve(String.format("g%06d.manifest", generation));
    }

    public FileChannel create(String volumeId, long generation) {
        try {
            io.blockferry.store.OwnerOnly.createDirectories(dir(volumeId));
            return io.blockferry.store.OwnerOnly.open(file(volumeId, generation), StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the manifest of " + volumeId + " generation " + generation, e);
        }
    }

    /** The manifests of the chain up to and including {@code upTo}, oldest first. */
    public List<Path> chain(String volumeId, long upTo) {
        Path dir = dir(volumeId);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".manifest"))
                    .filter(p -> generationOf(p) <= upTo).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the manifests of " + volumeId, e);
        }
    }

    /** A full generation was committed: the chain restarts with it. */
    public void restartChainAt(String volumeId, long generation) {
        for (Path p : chain(volumeId, Long.MAX_VALUE)) {
            if (generationOf(p) != generation) {
                delete(p);
            }
        }
    }

    /** A generation that will never be part of the chain (rejected or abandoned). */
    public void discard(String volumeId, long generation) {
        delete(file(volumeId, generation));
    }

    private static long generationOf(Path manifest) {
        String name = manifest.getFileName().toString();
        return Long.parseLong(name.substring(1, name.indexOf('.')));
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p, e);
        }
    }

    private Path dir(String volumeId) {
        return root.resolve(URLEncoder.encode(volumeId, StandardCharsets.UTF_8));
    }
}
