package io.blockferry.source;

import io.blockferry.transport.GenerationAck;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This source's site ({@code blockferry.site}, by default its installation id), named in every
 * BEGIN it publishes. Sources sharing one Kafka read the same acks topic, each in its own group;
 * each acts only on the acks addressed to it (or to no site: from a target older than the
 * addressing), so one source never promotes, deletes or resyncs because of another's answer,
 * even when their volume ids are the same.
 */
public final class SourceSite {

    private static final Logger LOG = LoggerFactory.getLogger(SourceSite.class);

    private final String site;
    private final AtomicLong foreign = new AtomicLong();

    public SourceSite(String site) {
        this.site = site;
    }

    public String name() {
        return site;
    }

    /** Whether an ack is this source's to act on; another site's is counted and left alone. */
    public boolean accepts(GenerationAck ack) {
        if (ack.addressedTo(site)) {
            return true;
        }
        if (foreign.incrementAndGet() == 1) {
            LOG.info("Leaving acks addressed to source site {} alone (this source is site {}): another source "
                    + "shares this Kafka; counted from now on, not logged again", ack.sourceSite(), site);
        }
        return false;
    }

    /** How many acks of other sources this source has seen and left alone. */
    public long foreignAcks() {
        return foreign.get();
    }
}
