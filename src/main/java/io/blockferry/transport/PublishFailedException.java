package io.blockferry.transport;

import io.blockferry.events.Causes;

import io.blockferry.source.SyncFailedException;

/** Kafka did not take every record of a generation: the generation is abandoned (cause kafka-unavailable). */
public class PublishFailedException extends SyncFailedException {

    public PublishFailedException(String message, Throwable cause, boolean mayPass) {
        super(message, cause, mayPass);
    }

    @Override
    public Causes failureCause() {
        return Causes.KAFKA_UNAVAILABLE;
    }
}
