package io.blockferry.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * The manifests of a chain of generations, oldest (a full) first. An entry is current when no
 * later generation changed any byte of its range: then the disk must still hold exactly what it
 * recorded. Entries within one manifest are in offset order and do not overlap, so overlap is a
 * binary search per later manifest; nothing is loaded into memory.
 */
public final class ManifestChain implements AutoCloseable {

    private final List<FileChannel> manifests = new ArrayList<>();
    private final List<Long> counts = new ArrayList<>();
    private long total;

    public ManifestChain(List<Path> oldestFirst) {
        try {
            for (Path file : oldestFirst) {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                manifests.add(channel);
                long count = channel.size() / ManifestFile.ENTRY_BYTES;
                counts.add(count);
                total += count;
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot open the manifest chain", e);
        }
    }

    public long size() {
        return total;
    }

    /** Visits every current entry of the generations before {@code end} (exclusive), checked against all later ones. */
    public void forEachCurrent(int end, Consumer<ManifestEntry> visitor) {
        for (int file = 0; file < end; file++) {
            for (long i = 0; i < counts.get(file); i++) {
                ManifestEntry entry = ManifestFile.entry(manifests.get(file), i);
                if (!changedLater(file, entry)) {
                    visitor.accept(entry);
                }
            }
        }
    }

    /**
     * Up to {@code wanted} current entries drawn at random from the generations before {@code end};
     * fewer when most entries were changed later.
     */
    public List<ManifestEntry> sampleCurrent(int end, int wanted, Random random) {
        long population = 0;
        for (int file = 0; file < end; file++) {
            population += counts.get(file);
        }
        List<ManifestEntry> sample = new ArrayList<>();
        java.util.Set<Long> drawn = new java.util.HashSet<>();
        for (long attempt = 0; attempt < wanted * 8L && sample.size() < wanted && population > 0; attempt++) {
            long global = (long) (random.nextDouble() * population);
            if (!drawn.add(global)) {
                continue;
            }
            long index = global;
            int file = 0;
            while (index >= counts.get(file)) {
                index -= counts.get(file++);
            }
            ManifestEntry entry = ManifestFile.entry(manifests.get(file), index);
            if (!changedLater(file, entry)) {
                sample.add(entry);
            }
        }
        return sample;
    }

    /**
     * Writes every current entry of the whole chain (those no later manifest changed), in offset
     * order, as one manifest: it stands for the chain. An entry a later one changed is dropped,
     * which loses nothing, as no generation before the chain's first could see it; so this is only
     * for the chain's oldest manifests (see {@code SourceManifests.compact}). The entries kept never
     * overlap. Streams: one cursor per manifest.
     */
    public long writeCurrent(FileChannel out) {
        java.util.PriorityQueue<long[]> heads = new java.util.PriorityQueue<>(
                java.util.Comparator.comparingLong((long[] h) -> h[2]));
        for (int file = 0; file < manifests.size(); file++) {
            long[] head = nextCurrent(file, 0);
            if (head != null) {
                heads.add(head);
            }
        }
        long written = 0;
        while (!heads.isEmpty()) {
            long[] head = heads.poll();
            int file = (int) head[0];
            ManifestFile.append(out, ManifestFile.entry(manifests.get(file), head[1]));
            written++;
            long[] next = nextCurrent(file, head[1] + 1);
            if (next != null) {
                heads.add(next);
            }
        }
        return written;
    }

    /** {file, index, offset} of the first current entry of {@code file} at or after {@code from}, or null. */
    private long[] nextCurrent(int file, long from) {
        for (long i = from; i < counts.get(file); i++) {
            ManifestEntry entry = ManifestFile.entry(manifests.get(file), i);
            if (!changedLater(file, entry)) {
                return new long[] {file, i, entry.offset()};
            }
        }
        return null;
    }

    public int manifests() {
        return manifests.size();
    }

    private boolean changedLater(int file, ManifestEntry entry) {
        for (int later = file + 1; later < manifests.size(); later++) {
            if (overlaps(later, entry.offset(), entry.offset() + entry.length())) {
                return true;
            }
        }
        return false;
    }

    /** Whether any entry of manifest {@code file} intersects [start, end). */
    private boolean overlaps(int file, long start, long end) {
        long low = 0;
        long high = counts.get(file) - 1;
        while (low <= high) {
            long mid = (low + high) >>> 1;
            ManifestEntry e = ManifestFile.entry(manifests.get(file), mid);
            if (e.offset() + e.length() <= start) {
                low = mid + 1;
            } else if (e.offset() >= end) {
                high = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        for (FileChannel channel : manifests) {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a read-only channel loses nothing
            }
        }
    }
}
