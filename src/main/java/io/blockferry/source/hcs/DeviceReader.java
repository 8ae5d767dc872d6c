package io.blockferry.source.hcs;

import io.blockferry.events.Causes;
import io.blockferry.source.BlockReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import io.blockferry.concurrent.ReadGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a snapshot through its temporary disk's device, opened read-only: positional reads, so
 * concurrent readers share one channel. A disk cloned from a snapshot has the snapshot's bytes at
 * the same offsets. Closing waits for reads in progress, then detaches and deletes the disk.
 */
final class DeviceReader implements BlockReader {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceReader.class);

    private final TemporaryDisk disk;
    private final FileChannel channel;
    private final long size;
    private final String what;
    private final ReadGate gate;

    /** @param size the snapshot's size from the array (a block device's own size is not always known to Java) */
    DeviceReader(TemporaryDisk disk, long size, String what) {
        this.disk = disk;
        this.size = size;
        this.what = what;
        this.gate = new ReadGate(what);
        try {
            this.channel = FileChannel.open(disk.device(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new HcsException("cannot open " + disk.device() + " (" + what + ") for reading: " + e
                    + "; Blockferry's user needs read access to the proxy's disk devices (the disk group)",
                    Causes.HCS_PERMISSION_DENIED);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer into) {
        int length = into.remaining();
        if (offset < 0 || offset + length > size) {
            throw new IllegalArgumentException("reading " + length + " bytes at " + offset + " is past the end of "
                    + what + " (" + size + " bytes)");
        }
        gate.enter();
        try {
            ByteBuffer target = into.duplicate();
            while (target.hasRemaining()) {
                long at = offset + (length - target.remaining());
                if (channel.read(target, at) < 0) {
                    throw new HcsException("reading " + what + " at " + at + ": the device " + disk.device()
                            + " ends early", Causes.HCS_ERROR);
                }
            }
        } catch (IOException e) {
            throw new HcsException("reading " + length + " bytes at " + offset + " of " + what + " from "
                    + disk.device() + " failed: " + e, Causes.HCS_ERROR);
        } finally {
            gate.leave();
        }
    }

    @Override
    public void close() {
        gate.close(() -> {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing {}", disk.device(), e);
            }
            try {
                disk.close();
            } catch (RuntimeException e) {
                // the data was read: a disk left behind is removed by the next start's clean-up
                LOG.warn("Could not remove the temporary disk {} of {}: {}; the next start removes it",
                        disk.volumeId(), what, e.getMessage());
            }
        });
    }
}
