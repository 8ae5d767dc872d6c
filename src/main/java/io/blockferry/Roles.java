package io.blockferry;

import io.blockferry.config.ConfigurationException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/** Which parts of Blockferry a process runs. */
record Roles(boolean source, boolean target) {

    static Roles parse(String text) {
        Set<String> names = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        boolean source = names.remove("source");
        boolean target = names.remove("target");
        if (!names.isEmpty() || !(source || target)) {
            throw new ConfigurationException("blockferry.roles is '" + text + "': use source, target, or source,target");
        }
        return new Roles(source, target);
    }

    String routesIncludePattern() {
        StringBuilder pattern = new StringBuilder("classpath:routes/common/*.camel.yaml");
        if (source) {
            pattern.append(",classpath:routes/source/*.camel.yaml");
        }
        if (target) {
            pattern.append(",classpath:routes/target/*.camel.yaml");
        }
        return pattern.toString();
    }
}
