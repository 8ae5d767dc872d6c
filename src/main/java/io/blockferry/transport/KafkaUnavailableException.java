package io.blockferry.transport;

import io.blockferry.events.Causes;

import io.blockferry.BlockferryException;

/** Kafka cannot be used; the message names the servers and the setting to fix. */
public class KafkaUnavailableException extends BlockferryException {
    public KafkaUnavailableException(String message) {
        super(message);
    }

    @Override
    public Causes failureCause() {
        return Causes.KAFKA_UNAVAILABLE;
    }
}
