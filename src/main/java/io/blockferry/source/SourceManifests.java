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

    /**
     * The most manifests a volume's chain keeps before its oldest are compacted into one: what a
     * verification opens and searches is bounded by it, not by the age of the chain.
     */
    public static final int CHAIN_LIMIT = 32;

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

    /**
     * Bounds the chain up to {@code upTo} (an acked generation) to at most {@code limit} manifests,
     * so verification opens and searches a bounded number of files however old the chain is: once
     * it has more, its oldest manifests (all but the newest {@code limit / 2}) become one, holding
     * what is current of them (ManifestChain#writeCurrent), under the name of the newest of them.
     * Verification sees exactly the same current entries as before. The merged file is written
     * aside and renamed over, so a crash leaves the chain as it was or compacted.
     *
     * @return how many manifests were merged into one (0: none)
     */
    public int compact(String volumeId, long upTo, int limit) {
        List<Path> chain = chain(volumeId, upTo);
        if (limit < 2 || chain.size() <= limit) {
            return 0;
        }
        List<Path> oldest = chain.subList(0, chain.size() - Math.max(1, limit / 2));
        Path into = oldest.get(oldest.size() - 1);
        Path merged = into.resolveSibling(into.getFileName() + ".compact");
        try (io.blockferry.transport.ManifestChain group = new io.blockferry.transport.ManifestChain(oldest);
             FileChannel out = io.blockferry.store.OwnerOnly.open(merged, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            group.writeCurrent(out);
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the manifests of " + volumeId, e);
        }
        try {
            Files.move(merged, into, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the manifests of " + volumeId, e);
        }
        for (Path p : oldest.subList(0, oldest.size() - 1)) {
            delete(p);
        }
        return oldest.size();
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
