package io.blockferry.transport;

import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;

/** Camel glue: hands each value to a route, for domain classes that must not know Camel. */
public final class CamelSender implements Consumer<Object> {

    private final Supplier<CamelContext> context;
    private final String endpoint;
    private volatile ProducerTemplate producer;

    /** @param context the Camel context, looked up when first needed (it starts after the beans are made) */
    public CamelSender(Supplier<CamelContext> context, String endpoint) {
        this.context = context;
        this.endpoint = endpoint;
    }

    @Override
    public void accept(Object body) {
        if (producer == null) {
            producer = context.get().createProducerTemplate();
        }
        producer.sendBody(endpoint, body);
    }
}
