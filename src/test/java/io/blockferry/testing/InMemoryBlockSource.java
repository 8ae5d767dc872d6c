package io.blockferry.testing;

import io.blockferry.changedblock.Extent;
import io.blockferry.source.BlockReader;
import io.blockferry.source.BlockSource;
import io.blockferry.source.ChangedBlocks;
import io.blockferry.source.SnapshotLimitException;
import io.blockferry.source.SourceVolume;
import io.blockferry.source.VolumeId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;

/**
 * A source backend held in memory, for fast tests of the planner and the chunk stream without
 * Ceph. Each volume is a byte array with an allocation map of {@link #GRAIN}-byte grains; a
 * snapshot is a copy of both; changes are the grains whose allocation or bytes differ, as a
 * changed-block API reports them. It passes {@code SourceVolumeContract}.
 */
public final class InMemoryBlockSource implements BlockSource {

    public static final int GRAIN = 64 << 10;

    private final String name;
    private final Map<String, Disk> disks = new ConcurrentHashMap<>();
    private volatile int snapshotLimit = Integer.MAX_VALUE;
    /** Reads at offsets it accepts fail, to test what a failed read does. */
    private volatile LongPredicate failReadAt = offset -> false;
    private final AtomicInteger readsInFlight = new AtomicInteger();
    private final AtomicInteger mostReadsAtOnce = new AtomicInteger();
    /** While closed, reads wait here: a test sees exactly how many a reader starts at once. */
    private volatile java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(0);

    public InMemoryBlockSource(String name) {
        this.name = name;
    }

    /** One volume's head and snapshots. */
    private static final class Disk {
        String identity = UUID.randomUUID().toString();
        byte[] bytes;
        BitSet allocated = new BitSet();
        final Map<String, Image> snapshots = new LinkedHashMap<>();

        Disk(long size) {
            bytes = new byte[Math.toIntExact(size)];
        }
    }

    /** A frozen copy of a volume. */
    private record Image(byte[] bytes, BitSet allocated) {
    }

    // ---------------------------------------------------------------- what a guest does

    public synchronized void create(String pool, String volume, long size) {
        disks.put(pool + "/" + volume, new Disk(size));
    }

    /** Deletes the volume and creates it again under the same name: a new identity, no snapshots. */
    public synchronized void recreate(String pool, String volume) {
        Disk old = disk(pool + "/" + volume);
        disks.put(pool + "/" + volume, new Disk(old.bytes.length));
    }

    public synchronized void write(String pool, String volume, long offset, byte[] data) {
        Disk d = disk(pool + "/" + volume);
        System.arraycopy(data, 0, d.bytes, (int) offset, data.length);
        d.allocated.set((int) (offset / GRAIN), (int) ((offset + data.length + GRAIN - 1) / GRAIN));
    }

    /** A trim: the whole grains in the range are unallocated and read as zeros. */
    public synchronized void discard(String pool, String volume, long offset, long length) {
        Disk d = disk(pool + "/" + volume);
        Arrays.fill(d.bytes, (int) offset, (int) (offset + length), (byte) 0);
        d.allocated.clear((int) ((offset + GRAIN - 1) / GRAIN), (int) ((offset + length) / GRAIN));
    }

    public void snapshotLimit(int limit) {
        this.snapshotLimit = limit;
    }

    public void failReadsAt(LongPredicate offsets) {
        this.failReadAt = offsets;
    }

    /** Makes reads wait until {@link #openReads()}. */
    public void holdReads() {
        gate = new java.util.concurrent.CountDownLatch(1);
    }

    public void openReads() {
        gate.countDown();
    }

    /** The reads running (or held) now. */
    public int readsInFlight() {
        return readsInFlight.get();
    }

    /** The most reads that ran at the same time since the start. */
    public int mostReadsAtOnce() {
        return mostReadsAtOnce.get();
    }

    /** The bytes of a snapshot, for comparing with what a target rebuilt. */
    public synchronized byte[] snapshotBytes(String pool, String volume, String snapshot) {
        return disk(pool + "/" + volume).snapshots.get(snapshot).bytes().clone();
    }

    private Disk disk(String key) {
        Disk d = disks.get(key);
        if (d == null) {
            throw new IllegalArgumentException("volume " + key + " does not exist");
        }
        return d;
    }

    // ---------------------------------------------------------------- the backend

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized List<VolumeId> volumes(String pool) {
        return disks.keySet().stream().filter(k -> k.startsWith(pool + "/"))
                .map(k -> new VolumeId(name, pool, k.substring(pool.length() + 1))).sorted(
                        java.util.Comparator.comparing(VolumeId::name)).toList();
    }

    @Override
    public SourceVolume open(VolumeId id) {
        String key = id.pool() + "/" + id.name();
        disk(key);
        return new Volume(id, key);
    }

    @Override
    public void ping() {
    }

    @Override
    public void close() {
    }

    private final class Volume implements SourceVolume {
        private final VolumeId id;
        private final String key;

        Volume(VolumeId id, String key) {
            this.id = id;
            this.key = key;
        }

        @Override
        public VolumeId id() {
            return id;
        }

        @Override
        public String identity() {
            synchronized (InMemoryBlockSource.this) {
                return disk(key).identity;
            }
        }

        @Override
        public long size() {
            synchronized (InMemoryBlockSource.this) {
                return disk(key).bytes.length;
            }
        }

        @Override
        public List<String> snapshots() {
            synchronized (InMemoryBlockSource.this) {
                return new ArrayList<>(disk(key).snapshots.keySet());
            }
        }

        @Override
        public void createSnapshot(String snapshot) {
            synchronized (InMemoryBlockSource.this) {
                Disk d = disk(key);
                if (d.snapshots.size() >= snapshotLimit) {
                    throw SnapshotLimitException.platformLimit(id.toString(), d.snapshots.size(),
                            "the in-memory backend's limit is " + snapshotLimit);
                }
                d.snapshots.put(snapshot, new Image(d.bytes.clone(), (BitSet) d.allocated.clone()));
            }
        }

        @Override
        public void removeSnapshot(String snapshot) {
            synchronized (InMemoryBlockSource.this) {
                if (disk(key).snapshots.remove(snapshot) == null) {
                    throw new IllegalArgumentException("snapshot " + id + "@" + snapshot + " does not exist");
                }
            }
        }

        private Image image(String snapshot) {
            synchronized (InMemoryBlockSource.this) {
                Image image = disk(key).snapshots.get(snapshot);
                if (image == null) {
                    throw new IllegalArgumentException("snapshot " + id + "@" + snapshot + " does not exist");
                }
                return image;
            }
        }

        @Override
        public BlockReader readerAt(String snapshot) {
            Image image = image(snapshot);
            return new BlockReader() {
                @Override
                public long size() {
                    return image.bytes().length;
                }

                @Override
                public void read(long offset, ByteBuffer into) {
                    int now = readsInFlight.incrementAndGet();
                    mostReadsAtOnce.accumulateAndGet(now, Math::max);
                    try {
                        gate.await();
                        if (failReadAt.test(offset)) {
                            throw new IllegalStateException("injected read failure at offset " + offset);
                        }
                        into.duplicate().put(image.bytes(), (int) offset, into.remaining());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while reading offset " + offset, e);
                    } finally {
                        readsInFlight.decrementAndGet();
                    }
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public ChangedBlocks changes(String fromSnapshot, String toSnapshot) {
            Image to = image(toSnapshot);
            Image from = fromSnapshot == null ? null : image(fromSnapshot);
            List<Extent> extents = new ArrayList<>();
            int grains = (to.bytes().length + GRAIN - 1) / GRAIN;
            for (int g = 0; g < grains; g++) {
                long offset = (long) g * GRAIN;
                int length = (int) Math.min(GRAIN, to.bytes().length - offset);
                boolean now = to.allocated().get(g);
                boolean before = from != null && g < (from.bytes().length + GRAIN - 1) / GRAIN && from.allocated().get(g);
                if (now && (!before || differs(from, to, offset, length))) {
                    add(extents, offset, length, true);
                } else if (!now && before) {
                    add(extents, offset, length, false);
                }
            }
            Iterator<Extent> it = extents.iterator();
            return new ChangedBlocks() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public Extent next() {
                    return it.next();
                }

                @Override
                public void close() {
                }
            };
        }

        private boolean differs(Image from, Image to, long offset, int length) {
            if (offset + length > from.bytes().length) {
                return true;
            }
            return Arrays.mismatch(from.bytes(), (int) offset, (int) offset + length, to.bytes(), (int) offset,
                    (int) offset + length) >= 0;
        }

        private void add(List<Extent> extents, long offset, long length, boolean exists) {
            if (!extents.isEmpty()) {
                Extent last = extents.get(extents.size() - 1);
                if (last.end() == offset && last.exists() == exists) {
                    extents.set(extents.size() - 1, new Extent(last.offset(), last.length() + length, exists));
                    return;
                }
            }
            extents.add(new Extent(offset, length, exists));
        }

        @Override
        public void close() {
        }
    }
}
