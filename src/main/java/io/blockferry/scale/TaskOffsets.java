package io.blockferry.scale;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * Which task records are done, so the task topic's offsets are committed only past them: a
 * record is done when a task that started after it was consumed has finished (later requests for
 * a waiting volume fold into its task). A proxy killed with records not done leaves them
 * uncommitted, and the volume's next owner reads them again.
 */
final class TaskOffsets {

    private record Position(int partition, long offset) {
    }

    private final Map<Integer, TreeSet<Long>> open = new HashMap<>();
    private final Map<String, List<Position>> waiting = new HashMap<>();
    private final Map<String, List<Position>> covered = new HashMap<>();

    synchronized void consumed(int partition, long offset, String volumeId) {
        open.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
        waiting.computeIfAbsent(volumeId, v -> new ArrayList<>()).add(new Position(partition, offset));
    }

    /** A record that became no task (malformed, refused): done at once. */
    synchronized void skipped(int partition, long offset) {
        TreeSet<Long> offsets = open.get(partition);
        if (offsets != null) {
            offsets.remove(offset);
        }
    }

    /** The volume's task started: the records consumed so far are what it answers. */
    synchronized void started(String volumeId) {
        List<Position> now = waiting.remove(volumeId);
        if (now != null) {
            covered.computeIfAbsent(volumeId, v -> new ArrayList<>()).addAll(now);
        }
    }

    /** The volume's task ended (or timed out waiting): the records it answered are done. */
    synchronized void finished(String volumeId) {
        List<Position> done = covered.remove(volumeId);
        if (done == null) {
            // a task that never started (it waited past the maximum wait): what it held is done
            done = waiting.remove(volumeId);
        }
        if (done != null) {
            for (Position p : done) {
                TreeSet<Long> offsets = open.get(p.partition());
                if (offsets != null) {
                    offsets.remove(p.offset());
                }
            }
        }
    }

    /** The offset to commit for the partition: its oldest record not done, if any. */
    synchronized OptionalLong oldestOpen(int partition) {
        TreeSet<Long> offsets = open.get(partition);
        return offsets == null || offsets.isEmpty() ? OptionalLong.empty() : OptionalLong.of(offsets.first());
    }

    /** The partition went to another proxy: it reads its records from the last committed offset. */
    synchronized void forget(int partition) {
        open.remove(partition);
        for (Map<String, List<Position>> byVolume : List.of(waiting, covered)) {
            byVolume.values().forEach(list -> list.removeIf(p -> p.partition() == partition));
            byVolume.values().removeIf(List::isEmpty);
        }
    }
}
