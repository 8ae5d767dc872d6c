package io.blockferry.target;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.ManifestChain;
import io.blockferry.transport.ManifestEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads each replica and compares every range with the checksum it was received with (the
 * manifests of the chain from the last full point). A mismatch means the target's copy rotted:
 * it publishes {@code target-corrupt} and asks the source for a full resync.
 */
public final class Scrubber {

    private static final Logger LOG = LoggerFactory.getLogger(Scrubber.class);

    /** What one scrub found. */
    public record Report(String volumeId, long generation, long rangesChecked, long bytesChecked, long mismatches,
                         String firstMismatch) {
    }

    private final Repository repository;
    private final RecoveryPointCatalog catalog;
    private final Object writerLock;
    private final EventSink events;

    /** @param writerLock held while scrubbing, so a replica is never read while a generation is applied */
    public Scrubber(Repository repository, RecoveryPointCatalog catalog, Object writerLock, EventSink events) {
        this.repository = repository;
        this.catalog = catalog;
        this.writerLock = writerLock;
        this.events = events;
    }

    public List<Report> scrubAll() {
        List<Report> reports = new ArrayList<>();
        for (String volumeId : catalog.volumes()) {
            reports.add(scrub(volumeId));
        }
        return reports;
    }

    public Report scrub(String volumeId) {
        synchronized (writerLock) {
            List<RecoveryPoint> chain = catalog.currentChain(volumeId);
            if (chain.isEmpty()) {
                return new Report(volumeId, 0, 0, 0, 0, null);
            }
            List<Path> manifests = chain.stream()
                    .map(p -> repository.pointManifest(volumeId, p.generation())).toList();
            AtomicLong ranges = new AtomicLong();
            AtomicLong bytes = new AtomicLong();
            AtomicLong mismatches = new AtomicLong();
            AtomicReference<String> first = new AtomicReference<>();
            try (ManifestChain entries = new ManifestChain(manifests);
                 RandomAccessFile replica = new RandomAccessFile(repository.replica(volumeId).toFile(), "r")) {
                entries.forEachCurrent(entries.manifests(), entry -> {
                    String problem = check(replica, entry);
                    ranges.incrementAndGet();
                    bytes.addAndGet(entry.length());
                    if (problem != null) {
                        mismatches.incrementAndGet();
                        first.compareAndSet(null, problem);
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot scrub " + volumeId + ": " + e.getMessage(), e);
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

    private static String check(RandomAccessFile replica, ManifestEntry entry) {
        byte[] bytes = new byte[(int) entry.length()];
        try {
            replica.seek(entry.offset());
            replica.readFully(bytes);
        } catch (IOException e) {
            return "[" + entry.offset() + ", +" + entry.length() + ") cannot be read: " + e.getMessage();
        }
        return entry.mismatch(bytes);
    }
}
