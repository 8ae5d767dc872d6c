package io.blockferry.transport;

/** Kafka cannot be used; the message names the servers and the setting to fix. */
public class KafkaUnavailableException extends RuntimeException {
    public KafkaUnavailableException(String message) {
        super(message);
    }
}
