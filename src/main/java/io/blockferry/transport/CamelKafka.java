package io.blockferry.transport;

import java.util.HashMap;
import org.apache.camel.component.kafka.KafkaComponent;

/**
 * Camel's Kafka component for Blockferry's routes (acks, events, dead letters, metadata): the
 * client security settings reach every endpoint as Kafka properties, unchanged, applied after
 * Camel's own options (Camel's {@code additionalProperties}). The other options still come from
 * {@code camel.component.kafka.*}.
 */
public final class CamelKafka {

    private CamelKafka() {
    }

    public static KafkaComponent component(KafkaClientConfig client) {
        KafkaComponent kafka = new KafkaComponent();
        kafka.getConfiguration().setAdditionalProperties(new HashMap<>(client.properties()));
        return kafka;
    }
}
