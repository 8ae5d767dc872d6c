package io.blockferry.transport;

import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import java.util.function.Supplier;

/** Camel glue: hands events to the event-publish route, which logs them and sends them to Kafka. */
public final class CamelEventSink implements EventSink {

    private volatile ProducerTemplate producer;
    private final Supplier<CamelContext> context;

    /** @param context the Camel context, looked up when first needed (it starts after the beans are made) */
    public CamelEventSink(Supplier<CamelContext> context) {
        this.context = context;
    }

    @Override
    public void publish(Event event) {
        if (producer == null) {
            producer = context.get().createProducerTemplate();
        }
        producer.sendBody("direct:event-publish", event);
    }
}
