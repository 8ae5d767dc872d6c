package io.blockferry.access;

import java.util.List;

/**
 * An open export of a recovery point over NBD: {@code uri} is what a client connects to
 * ({@code nbdinfo}, {@code nbdcopy}, {@code nbd-client}, {@code qemu-img}). {@code chain} lists the
 * generations whose diffs it serves (the last full point first). {@code openMillis} is how long it
 * took to expose the point; {@code pid} is its nbdkit process.
 */
public record NbdExport(String id, String volumeId, long generation, String snapshot, boolean writable, String address,
                        int port, String uri, long imageSize, long dataBytes, List<Long> chain, long pid,
                        long openedAtMillis, long openMillis) {
}
