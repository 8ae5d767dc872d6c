package io.blockferry.consumer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A generation the target committed, verified record by record and whole (END's counts and
 * digest), ready to apply. Its extents are read back from the consumer's spool, in offset order.
 */
public final class Generation {

    /** One extent: bytes ({@code data} non-null, valid only during the call) or zeros. */
    public interface ExtentVisitor {
        void extent(long offset, long length, ByteBuffer data) throws IOException;
    }

    private final ChunkFrame.Begin begin;
    private final Path spool;
    private final int largestPayload;

    Generation(ChunkFrame.Begin begin, Path spool, int largestPayload) {
        this.begin = begin;
        this.spool = spool;
        this.largestPayload = largestPayload;
    }

    public String volumeId() {
        return begin.volumeId();
    }

    public long generation() {
        return begin.generation();
    }

    public boolean full() {
        return begin.full();
    }

    public String snapshot() {
        return begin.snapshot();
    }

    /** The snapshot an incremental applies on; empty for a full generation. */
    public String baseSnapshot() {
        return begin.baseSnapshot();
    }

    public long imageSize() {
        return begin.imageSize();
    }

    /** Why the source made it (first-sync, scheduled, requested, a chain-break cause). */
    public String cause() {
        return begin.cause();
    }

    /** Visits every DATA and ZERO extent in offset order. */
    public void forEachExtent(ExtentVisitor visitor) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(17);
        ByteBuffer data = ByteBuffer.allocateDirect(Math.max(1, largestPayload));
        try (FileChannel in = FileChannel.open(spool, StandardOpenOption.READ)) {
            while (true) {
                head.clear();
                if (readFully(in, head) < 17) {
                    return;
                }
                head.flip();
                byte kind = head.get();
                long offset = head.getLong();
                long length = head.getLong();
                if (kind == 'w') {
                    data.clear().limit((int) length);
                    readFully(in, data);
                    data.flip();
                    visitor.extent(offset, length, data.asReadOnlyBuffer());
                } else {
                    visitor.extent(offset, length, null);
                }
            }
        }
    }

    private static int readFully(FileChannel in, ByteBuffer b) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int n = in.read(b);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
