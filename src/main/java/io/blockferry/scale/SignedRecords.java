package io.blockferry.scale;

import io.blockferry.security.JsonRecordAuth;
import io.blockferry.transport.KafkaUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/** The JSON records the proxies of a site share: signed like every JSON record, sent and checked alike. */
final class SignedRecords {

    private final Producer<String, byte[]> producer;
    private final JsonRecordAuth auth;
    private final Duration timeout;

    SignedRecords(Producer<String, byte[]> producer, JsonRecordAuth auth, Duration timeout) {
        this.producer = producer;
        this.auth = auth;
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * Sends a signed record and waits until the brokers have it.
     *
     * @param what names the record and what to do when it fails, for the error
     * @throws KafkaUnavailableException when Kafka does not take it within the timeout
     */
    void send(String topic, String channel, String key, byte[] value, String what) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        auth.sign(channel, key, value).forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        try {
            producer.send(record).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new KafkaUnavailableException(what + ": Kafka did not take it on " + topic + " within "
                    + timeout.toSeconds() + " s (" + rootMessage(e) + "); check that Kafka is reachable "
                    + "(blockferry.kafka.bootstrap-servers)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaUnavailableException(what + ": interrupted while sending it to " + topic);
        }
    }

    /** @throws io.blockferry.security.UnauthenticatedRecordException when the record's signature does not hold */
    void verify(ConsumerRecord<String, byte[]> r, String channel) {
        auth.verify(channel, r.key(), r.value(), header(r, JsonRecordAuth.KEY_ID_HEADER),
                header(r, JsonRecordAuth.SIGNATURE_HEADER));
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
