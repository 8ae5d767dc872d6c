package io.blockferry.transport;

/**
 * The writer's answer to a generation, published as JSON on the ack topic. COMMITTED means the
 * generation is a durable recovery point; REJECTED means it was not applied, and says why.
 */
public record GenerationAck(String volumeId, long generation, String snapshot, String mode, Status status,
                            String cause, String reason, long dataBytes, long atMillis) {

    public enum Status {
        COMMITTED,
        REJECTED
    }

    public static GenerationAck committed(String volumeId, long generation, String snapshot, String mode,
                                          long dataBytes) {
        return new GenerationAck(volumeId, generation, snapshot, mode, Status.COMMITTED, null, null, dataBytes,
                System.currentTimeMillis());
    }

    /** @param cause a stable kebab-case name, such as {@code target-missing-base} or {@code chunk-corrupt} */
    public static GenerationAck rejected(String volumeId, long generation, String snapshot, String mode,
                                         String cause, String reason) {
        return new GenerationAck(volumeId, generation, snapshot, mode, Status.REJECTED, cause, reason, 0,
                System.currentTimeMillis());
    }

    public boolean committed() {
        return status == Status.COMMITTED;
    }
}
