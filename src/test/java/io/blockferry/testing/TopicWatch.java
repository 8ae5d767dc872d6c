package io.blockferry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a real topic from its beginning and waits for a record that matches. */
public final class TopicWatch implements AutoCloseable {

    /** A record seen on the topic: key, value, and headers as text. */
    public record Seen(String key, byte[] value, Map<String, String> headers) {
        public JsonNode json() {
            try {
                return new ObjectMapper().readTree(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<Seen> seen = new ArrayList<>();

    public TopicWatch(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", "test-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
    }

    public static TopicWatch events(String bootstrapServers) {
        return new TopicWatch(bootstrapServers, "blockferry.events");
    }

    /**
     * Every record published to the topic before this call, read to its end offsets: what was
     * published is all there, with no guessing how long delivery takes.
     */
    public List<Seen> readToEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
            pollOnce();
        }
        Map<org.apache.kafka.common.TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the topic was not read to its end within " + timeout.toSeconds() + " s");
            }
            pollOnce();
        }
        return List.copyOf(seen);
    }

    private void pollOnce() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            Map<String, String> headers = new java.util.HashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
            seen.add(new Seen(r.key(), r.value(), headers));
        }
    }

    /** Waits until a record matches, polling the topic; fails after the timeout. */
    public Seen await(Predicate<Seen> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Seen s : seen) {
                if (match.test(s)) {
                    return s;
                }
            }
            pollOnce();
        }
        throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s; seen: "
                + seen.stream().map(s -> new String(s.value(), StandardCharsets.UTF_8)).toList());
    }

    /** Waits for an event of a type (and cause, if not null) about a volume. */
    public JsonNode awaitEvent(String type, String volumeId, String cause, Duration timeout) {
        return await(s -> {
            JsonNode e = s.json();
            return type.equals(e.path("type").asText()) && volumeId.equals(e.path("volumeId").asText())
                    && (cause == null || cause.equals(e.path("cause").asText()));
        }, timeout, type + " event for " + volumeId + (cause == null ? "" : " (" + cause + ")")).json();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
