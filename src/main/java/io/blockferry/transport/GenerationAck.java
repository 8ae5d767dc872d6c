package io.blockferry.transport;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
/**
 * The writer's answer to a generation, published as JSON on the ack topic. COMMITTED means the
 * generation is a durable recovery point; REJECTED means it was not applied, and says why.
 * {@code latestGeneration} is the newest generation the target holds for the volume (0: none), so
 * a source whose numbering fell behind the target's learns where to continue.
 *
 * <p>{@code sourceSite} is the site whose generation this answers (from its BEGIN; null from a
 * source older than chunk record version 5): a source obeys only the acks addressed to it, so
 * sources sharing one Kafka never act on each other's answers, whatever their volume ids.
 * {@code targetSite} is the answering target's site.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GenerationAck(String volumeId, long generation, String snapshot, String mode, Status status,
                            String cause, String reason, long dataBytes, long atMillis, long latestGeneration,
                            String sourceSite, String targetSite) {

    public GenerationAck(String volumeId, long generation, String snapshot, String mode, Status status,
                         String cause, String reason, long dataBytes, long atMillis, long latestGeneration) {
        this(volumeId, generation, snapshot, mode, status, cause, reason, dataBytes, atMillis, latestGeneration,
                null, null);
    }

    /** The same answer addressed to a source site (empty: to none in particular). */
    public GenerationAck toSource(String site) {
        return new GenerationAck(volumeId, generation, snapshot, mode, status, cause, reason, dataBytes, atMillis,
                latestGeneration, site == null || site.isEmpty() ? null : site, targetSite);
    }

    /** The same answer signed off by a target site. */
    public GenerationAck fromTarget(String site) {
        return new GenerationAck(volumeId, generation, snapshot, mode, status, cause, reason, dataBytes, atMillis,
                latestGeneration, sourceSite, site);
    }

    /** Whether a source of this site is to obey this answer: it is addressed to it, or to no site. */
    public boolean addressedTo(String site) {
        return sourceSite == null || sourceSite.isEmpty() || sourceSite.equals(site);
    }

    public enum Status {
        COMMITTED,
        REJECTED
    }

    public static GenerationAck committed(String volumeId, long generation, String snapshot, String mode,
                                          long dataBytes) {
        return new GenerationAck(volumeId, generation, snapshot, mode, Status.COMMITTED, null, null, dataBytes,
                System.currentTimeMillis(), generation);
    }

    /** @param cause a stable kebab-case name, such as {@code target-missing-base} or {@code chunk-corrupt} */
    public static GenerationAck rejected(String volumeId, long generation, String snapshot, String mode,
                                         String cause, String reason) {
        return rejected(volumeId, generation, snapshot, mode, cause, reason, 0);
    }

    public static GenerationAck rejected(String volumeId, long generation, String snapshot, String mode,
                                         String cause, String reason, long latestGeneration) {
        return new GenerationAck(volumeId, generation, snapshot, mode, Status.REJECTED, cause, reason, 0,
                System.currentTimeMillis(), latestGeneration);
    }

    public boolean committed() {
        return status == Status.COMMITTED;
    }
}
