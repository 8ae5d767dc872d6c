package io.blockferry.ops;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/** Camel glue: a readiness check that is UP when its probe returns and DOWN with the probe's message when it throws. */
public final class ComponentHealthCheck extends AbstractHealthCheck {

    private final Runnable probe;

    public ComponentHealthCheck(String id, Runnable probe) {
        super("blockferry", id);
        this.probe = probe;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            probe.run();
            builder.up();
        } catch (RuntimeException e) {
            builder.down().message(e.getMessage());
        }
    }
}
