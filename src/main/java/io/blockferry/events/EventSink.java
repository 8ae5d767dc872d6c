package io.blockferry.events;

/** Where domain code reports events; the Camel glue publishes them to the events topic. */
public interface EventSink {

    void publish(Event event);
}
