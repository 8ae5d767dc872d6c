package io.blockferry.transport;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
/**
 * The writer's answer to a generation, published as JSON on the ack topic. COMMITTED means the
 * generation is a durable recovery point; REJECTED means it was not applied, and says why.
 * {@code latestGeneration} is the newest generation the target holds for the volume (0: none), so
 * a source whose numbering fell behind the target's learns where to continue.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GenerationAck(String volumeId, long generation, String snapshot, String mode, Status status,
                            String cause, String reason, long dataBytes, long atMillis, long latestGeneration) {

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
