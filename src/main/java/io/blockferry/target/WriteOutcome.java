package io.blockferry.target;

import io.blockferry.transport.GenerationAck;

/**
 * What the writer did with one record: the ack to publish, if a generation ended, and whether
 * everything received so far is durable, so the consumer may commit its offset.
 */
public record WriteOutcome(GenerationAck ack, boolean durable) {

    static final WriteOutcome PENDING = new WriteOutcome(null, false);
    static final WriteOutcome DURABLE = new WriteOutcome(null, true);

    static WriteOutcome answered(GenerationAck ack) {
        return new WriteOutcome(ack, true);
    }
}
