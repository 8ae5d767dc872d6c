package io.blockferry.transport;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte arrays for encoded frames, reused. Kafka's producer takes a record's value as an array of
 * exactly its length and copies it into its batch before {@code send} returns, so an array can be
 * handed out again at once. Most DATA frames of a volume have the same length (full records of
 * one volume id), so a few arrays per length serve them all and the data path allocates no
 * payload-sized arrays. Bounded: at most {@code perLength} arrays of each of {@code lengths} lengths.
 */
final class FrameArrays {

    private final int perLength;
    private final int lengths;
    private final Map<Integer, ArrayDeque<byte[]>> free = new HashMap<>();

    FrameArrays(int lengths, int perLength) {
        this.lengths = lengths;
        this.perLength = perLength;
    }

    synchronized byte[] take(int length) {
        ArrayDeque<byte[]> same = free.get(length);
        byte[] array = same == null ? null : same.poll();
        return array != null ? array : new byte[length];
    }

    synchronized void give(byte[] array) {
        ArrayDeque<byte[]> same = free.get(array.length);
        if (same == null) {
            if (free.size() >= lengths) {
                return;
            }
            same = new ArrayDeque<>();
            free.put(array.length, same);
        }
        if (same.size() < perLength) {
            same.push(array);
        }
    }
}
