package io.blockferry.transport;

import io.blockferry.source.ResyncTrigger;
import io.blockferry.source.SyncRequest;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import java.util.function.Supplier;

/** Camel glue: queues a resync on seda:resync, so it runs after the current exchange, not inside it. */
public final class CamelResyncTrigger implements ResyncTrigger {

    private final Supplier<CamelContext> context;
    private volatile ProducerTemplate producer;

    /** @param context the Camel context, looked up when first needed (it starts after the beans are made) */
    public CamelResyncTrigger(Supplier<CamelContext> context) {
        this.context = context;
    }

    @Override
    public void request(SyncRequest request) {
        if (producer == null) {
            producer = context.get().createProducerTemplate();
        }
        producer.sendBody("seda:resync", request);
    }
}
