package io.blockferry.target;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The volumes a writer sharing its repository holds: an exclusive file lock on
 * {@code <repository>/<volume>/.writer} per volume, taken when the writer is given the volume's
 * chunk partition and released when it lets the partition go. The group's assignment says who
 * should write a volume; the lock makes sure the previous writer has stopped first. A writer cut
 * off from Kafka (a zombie that has not noticed yet) still holds its locks, so its successor waits
 * instead of writing beside it; a writer killed -9 loses its locks with its process at once.
 *
 * <p>On a shared filesystem the locks are only as good as its locking: NFS v4 and CephFS give
 * byte-range locks to one client at a time and drop a dead client's after its lease.
 */
public final class VolumeLocks implements VolumeClaims {

    private static final Logger LOG = LoggerFactory.getLogger(VolumeLocks.class);
    static final String FILE = ".writer";
    private static final long RETRY_MILLIS = 100;
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private record Held(FileChannel channel, FileLock lock) { }

    private final Repository repository;
    private final String owner;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private volatile Predicate<String> wanted = volumeId -> true;

    /** @param owner this writer, as the lock files name it (with its pid and host) */
    public VolumeLocks(Repository repository, String owner) {
        this.repository = repository;
        this.owner = RepositoryLock.describe(owner);
    }

    /** Which volumes are still this writer's to take (its partitions): a claim of one that moved on gives up. */
    public void wantedWhile(Predicate<String> wanted) {
        this.wanted = wanted;
    }

    @Override
    public boolean claim(String volumeId) {
        if (held.containsKey(volumeId)) {
            return true;
        }
        Path file = repository.volumeDir(volumeId).resolve(FILE);
        long began = System.nanoTime();
        long reported = began;
        while (true) {
            if (!wanted.test(volumeId)) {
                return false;
            }
            if (tryTake(volumeId, file)) {
                if (System.nanoTime() - began > REPORT_NANOS) {
                    LOG.info("Volume {}: taken over after {} s", volumeId, (System.nanoTime() - began) / 1_000_000_000);
                }
                return true;
            }
            if (System.nanoTime() - reported > REPORT_NANOS) {
                reported = System.nanoTime();
                LOG.warn("Volume {} is still held by another writer ({}); waiting for it to let go (a writer "
                        + "that lost its partitions stops at its next poll)", volumeId, holder(file));
            }
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private boolean tryTake(String volumeId, Path file) {
        FileChannel channel = null;
        try {
            io.blockferry.store.OwnerOnly.createDirectories(file.getParent());
            channel = io.blockferry.store.OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return false;
            }
            byte[] description = (owner + ", since " + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(description), 0);
            held.put(volumeId, new Held(channel, lock));
            return true;
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the lock failed already; that error is the one reported
                }
            }
            throw new UncheckedIOException("cannot lock " + file + " (" + e.getMessage() + "): the repository of "
                    + "writers sharing it must be a writable directory on a filesystem with file locks", e);
        }
    }

    private static String holder(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? "no description" : text;
        } catch (IOException e) {
            return "unknown";
        }
    }

    @Override
    public void release(String volumeId) {
        Held h = held.remove(volumeId);
        if (h == null) {
            return;
        }
        try {
            h.lock().release();
            h.channel().close();
        } catch (IOException e) {
            // closing the channel releases the lock whatever happens
        }
    }

    @Override
    public boolean shared() {
        return true;
    }

    /** Releases every volume (the writer stops). */
    public void releaseAll() {
        held.keySet().forEach(this::release);
    }
}
