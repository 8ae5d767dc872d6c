package io.blockferry.source;

/** Starts a sync later, off the current thread (the Camel glue queues it on seda:resync). */
public interface ResyncTrigger {

    void request(SyncRequest request);
}
