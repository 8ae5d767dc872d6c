package io.blockferry.schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;

/**
 * One Quartz route per policy ({@code policy-<name>}), rebuilt whenever the policies reload.
 * Jobs are stateful, so a fire never overlaps the previous one of the same policy; a fire missed
 * while the scheduler was busy runs once as soon as it can (cron misfire "fire once now").
 */
public final class PolicyRoutes {

    /** Quartz's CronTrigger.MISFIRE_INSTRUCTION_FIRE_ONCE_NOW. */
    private static final int FIRE_ONCE_NOW = 1;

    private final CamelContext camel;
    private final Set<String> routeIds = new HashSet<>();

    public PolicyRoutes(CamelContext camel) {
        this.camel = camel;
    }

    public synchronized void apply(List<Policy> policies) {
        try {
            for (String id : routeIds) {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            }
            routeIds.clear();
            camel.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    for (Policy p : policies) {
                        String id = "policy-" + p.name();
                        from("quartz:blockferry-policies/" + p.name() + "?cron=" + p.schedule().replace(' ', '+')
                                + "&stateful=true&trigger.misfireInstruction=" + FIRE_ONCE_NOW)
                                .routeId(id).routeDescription("Fires policy " + p.name() + " on " + p.schedule())
                                .bean("policyRunner", "fire('" + p.name() + "')");
                        routeIds.add(id);
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot schedule the policies: " + e.getMessage(), e);
        }
    }
}
