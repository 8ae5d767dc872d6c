package io.blockferry.target;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.source.BlockReader;
import io.blockferry.transport.ManifestChain;
import io.blockferry.transport.ManifestEntry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads each replica and compares every range with the checksum it was received with (the
 * manifests of the chain from the last full point). A mismatch means the target's copy rotted:
 * it publishes {@code target-corrupt} and asks the source for a full resync. Each volume is
 * scrubbed on its own: one whose files are missing is reported by name (and resynced), and the
 * others are still checked.
 */
public final class Scrubber {

    private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);

    /**
     * What one scrub found. {@code problem} is set when the volume could not be scrubbed (its files
     * gone): then nothing was compared.
     */
    public record Report(String volumeId, long generation, long rangesChecked, long bytesChecked, long mismatches,
                         String firstMismatch, String problem) {

        public Report(String volumeId, long generation, long rangesChecked, long bytesChecked, long mismatches,
                      String firstMismatch) {
            this(volumeId, generation, rangesChecked, bytesChecked, mismatches, firstMismatch, null);
        }
    }

    private final Repository repository;
    private final RecoveryPointCatalog catalog;
    private final Function<String, Object> locks;
    private final EventSink events;
    private final RepositoryCheck check;
    private final Replicas replicas;
    private volatile java.util.function.Predicate<String> held = volumeId -> true;

    /** @param locks each volume's lock, held while it is scrubbed, so a replica is never read while a point is applied */
    public Scrubber(Repository repository, RecoveryPointCatalog catalog, Replicas replicas,
                    Function<String, Object> locks, EventSink events) {
        this.repository = repository;
        this.catalog = catalog;
        this.replicas = replicas;
        this.locks = locks;
        this.events = events;
        this.check = new RepositoryCheck(repository, catalog, replicas);
    }

    /** Writers sharing a repository scrub only the volumes they hold ({@code held}). */
    public void limitTo(java.util.function.Predicate<String> held) {
        this.held = held;
    }

    public List<Report> scrubAll() {
        List<Report> reports = new ArrayList<>();
        for (String volumeId : catalog.volumes()) {
            if (!held.test(volumeId)) {
                continue;
            }
            try {
                reports.add(scrub(volumeId));
            } catch (RuntimeException e) {
                LOG.error("Scrub of {} failed: {}", volumeId, e.getMessage());
                reports.add(new Report(volumeId, 0, 0, 0, 0, null, e.getMessage()));
            }
        }
        return reports;
    }

    public Report scrub(String volumeId) {
        synchronized (locks.apply(volumeId)) {
            if (!held.test(volumeId)) {
                return new Report(volumeId, 0, 0, 0, 0, null, "another writer of the shared repository holds "
                        + volumeId + ": scrub it there");
            }
            if (check.verify(volumeId, events)) {
                return new Report(volumeId, 0, 0, 0, 0, null, "files listed by the catalog are missing: reported, "
                        + "and a full resync requested");
            }
            ReplicaState replica = catalog.replica(volumeId);
            List<RecoveryPoint> chain = catalog.currentChain(volumeId);
            if (chain.isEmpty() || !replica.valid()) {
                return new Report(volumeId, 0, 0, 0, 0, null, replica.valid() ? null : replica.detail());
            }
            List<Path> manifests = chain.stream()
                    .map(p -> repository.pointManifest(volumeId, p.generation())).toList();
            AtomicLong ranges = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            AtomicLong mismatches = new AtomicLong();
            AtomicReference<String> first = new AtomicReference<>();
            try (ManifestChain entries = new ManifestChain(manifests);
                 BlockReader file = replicas.of(volumeId).reader()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect(4 << 20);
                entries.forEachCurrent(entries.manifests(), entry -> {
                    String problem = check(file, entry, buffer);
                    ranges.incrementAndGet();
                    bytes.addAndGet(entry.length());
                    if (problem != null) {
                        mismatches.incrementAndGet();
                        first.compareAndSet(null, problem);
                    }
                });
            } catch (RuntimeException e) {
                String problem = "cannot scrub " + volumeId + ": " + e.getMessage();
                LOG.error(problem);
                return new Report(volumeId, 0, 0, 0, 0, null, problem);
            }
            Report report = new Report(volumeId, chain.get(chain.size() - 1).generation(), ranges.get(), bytes.get(),
                    mismatches.get(), first.get());
            if (report.mismatches() > 0) {
                Map<String, Long> counts = Map.of("mismatches", report.mismatches(), "ranges", report.rangesChecked());
                events.publish(Event.of(EventTypes.TARGET_CORRUPT, volumeId, ChainBreak.TARGET_CORRUPT, Event.ERROR,
                        "the replica of " + volumeId + " differs from what was received: " + report.firstMismatch(),
                        counts));
                events.publish(Event.of(EventTypes.RESYNC_REQUESTED, volumeId, ChainBreak.TARGET_CORRUPT, Event.WARN,
                        "the target's replica is corrupt; a full resync replaces it", counts));
            } else {
                LOG.info("Scrub of {}: {} ranges ({} bytes) match what was received", volumeId, report.rangesChecked(),
                        report.bytesChecked());
            }
            return report;
        }
    }

    private static String check(BlockReader replica, ManifestEntry entry, ByteBuffer buffer) {
        String range = "[" + entry.offset() + ", +" + entry.length() + ")";
        ByteBuffer bytes = entry.length() <= buffer.capacity() ? buffer.clear().limit((int) entry.length())
                : ByteBuffer.allocate((int) entry.length());
        try {
            replica.read(entry.offset(), bytes);
        } catch (RuntimeException e) {
            return range + " cannot be read: " + e.getMessage();
        }
        return entry.mismatch(bytes);
    }
}
