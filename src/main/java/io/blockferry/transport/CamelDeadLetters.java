package io.blockferry.transport;

import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Camel glue: hands a record that cannot be applied to the dead-letter route, with its failure as
 * the exchange's caught exception (the route puts the failure in the record's headers).
 */
public final class CamelDeadLetters implements KafkaChunkConsumer.DeadLetters {

    private final Supplier<CamelContext> context;
    private volatile ProducerTemplate producer;

    public CamelDeadLetters(Supplier<CamelContext> context) {
        this.context = context;
    }

    @Override
    public void send(String key, byte[] value, Exception cause) {
        if (producer == null) {
            producer = context.get().createProducerTemplate();
        }
        producer.send("direct:dead-letter", exchange -> {
            exchange.getMessage().setBody(value);
            exchange.getMessage().setHeader(KafkaConstants.KEY, key);
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, cause);
        });
    }
}
