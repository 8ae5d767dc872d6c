package io.blockferry.testing;

import io.blockferry.source.ChunkStream;
import io.blockferry.transport.ChunkCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Lets a test deliver a generation's records to the real chunk topic in any order or number. */
public final class ChunkTopic implements AutoCloseable {

    public static final String TOPIC = "blockferry.chunks";

    private final KafkaProducer<String, byte[]> producer;

    public ChunkTopic(String bootstrapServers) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 5 << 20);
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Reads a whole generation into encoded frames (test images are small). */
    public static List<byte[]> frames(ChunkStream stream) {
        List<byte[]> frames = new ArrayList<>();
        stream.forEachRemaining(r -> {
            frames.add(ChunkCodec.encode(r));
            r.release();
        });
        return frames;
    }

    public void publish(String key, List<byte[]> frames) {
        for (byte[] frame : frames) {
            producer.send(new ProducerRecord<>(TOPIC, key, frame));
        }
        producer.flush();
    }

    /** One record on another of Blockferry's topics (metadata, acks), as a foreign producer would. */
    public void publishTo(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key, value));
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
