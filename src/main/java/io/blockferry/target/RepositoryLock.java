package io.blockferry.target;

import io.blockferry.store.StoreException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One target writer per repository: an exclusive lock on {@code <repository>/.lock}, held for as
 * long as the target runs. Two writers on one repository (the same directory configured twice, or
 * a shared filesystem mounted by two proxies) would each keep a catalog of their own and write
 * over each other's points; the second one refuses to start instead, naming the first.
 *
 * <p>A kill -9 leaves the file (with the dead owner's description) but not the lock: the operating
 * system releases it with the process, and the next start takes it and writes its own description.
 * On a shared filesystem the lock is only as good as the filesystem's locking (NFS v4 locks are
 * released by the server when the client's lease ends).
 */
public final class RepositoryLock implements AutoCloseable {

    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RepositoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of a repository for this process.
     *
     * @param owner who this writer is (its installation id and data directory), written in the file
     * @throws StoreException naming the current owner and the fix when another writer holds it
     */
    public static RepositoryLock take(Repository repository, String owner) {
        return take(repository, owner, false);
    }

    /**
     * Takes a shared lock of a repository for one of the writers of a site that share it
     * ({@code blockferry.target.work-sharing=kafka}; each then locks the volumes it holds, {@link
     * VolumeLocks}). A writer that does not share is refused while sharers hold it, and the other way
     * round.
     */
    public static RepositoryLock share(Repository repository, String owner) {
        return take(repository, owner, true);
    }

    private static RepositoryLock take(Repository repository, String owner, boolean shared) {
        Path file = repository.root().resolve(FILE);
        FileChannel channel = null;
        try {
            // owner-only, like everything in the repository (it names the owner's data directory)
            channel = io.blockferry.store.OwnerOnly.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, shared);
            } catch (OverlappingFileLockException e) {
                lock = null; // this very process holds it (a second target in one JVM)
            }
            if (lock == null && shared) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new StoreException("the repository " + repository.root() + " is in use by a target writer that "
                        + "does not share it (" + (holder.isEmpty() ? "no description" : holder) + "): set "
                        + "blockferry.target.work-sharing=kafka on every writer of this repository, or give this one "
                        + "its own blockferry.target.repository-dir", null);
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new StoreException("the repository " + repository.root() + " is in use by another target writer ("
                        + (holder.isEmpty() ? "no description" : holder) + "): two writers on one repository would "
                        + "overwrite each other's recovery points. Give each writer its own "
                        + "blockferry.target.repository-dir (BLOCKFERRY_TARGET_REPOSITORY_DIR), or stop the other one; "
                        + "writers meant to share it set blockferry.target.work-sharing=kafka", null);
            }
            if (shared) {
                // the others share it too: the file keeps the description of the last writer that held it alone
                return new RepositoryLock(channel, lock);
            }
            String description = describe(owner) + ", since " + Instant.now();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((description + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return new RepositoryLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock the repository " + repository.root() + " (" + e.getMessage()
                    + "): check that blockferry.target.repository-dir is a writable directory on a filesystem with "
                    + "file locks", e);
        }
    }

    /** Who a lock file says holds it: {@code owner}, this process's pid and host. */
    static String describe(String owner) {
        return owner + ", pid " + ProcessHandle.current().pid() + " on " + host();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the open failed already; that error is the one reported
            }
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock whatever happens; nothing to recover
        }
    }
}
