package io.blockferry;

import io.blockferry.config.ConfigType;
import io.blockferry.config.ConfigurationException;
import java.util.HashSet;
import java.util.Set;

/** Which parts of Blockferry a process runs. */
record Roles(boolean source, boolean target) {

    static Roles parse(String text) {
        Set<String> names = new HashSet<>(ConfigType.list(text));
        boolean source = names.remove("source");
        boolean target = names.remove("target");
        if (!names.isEmpty() || !(source || target)) {
            throw new ConfigurationException("blockferry.roles is '" + text + "': use source, target, or source,target");
        }
        return new Roles(source, target);
    }

    /** The route files of these roles (operator surface in routes/ops); the REST API's only when the HTTP server runs. */
    String routesIncludePattern(boolean api) {
        StringBuilder pattern = new StringBuilder("classpath:routes/common/*.camel.yaml")
                .append(",classpath:routes/ops/common-*.camel.yaml");
        if (api) {
            pattern.append(",classpath:routes/api/common-*.camel.yaml");
        }
        for (String role : source ? (target ? new String[] {"source", "target"} : new String[] {"source"})
                : new String[] {"target"}) {
            pattern.append(",classpath:routes/").append(role).append("/*.camel.yaml");
            pattern.append(",classpath:routes/ops/").append(role).append("-*.camel.yaml");
            if (api) {
                pattern.append(",classpath:routes/api/").append(role).append("-*.camel.yaml");
            }
        }
        return pattern.toString();
    }
}
