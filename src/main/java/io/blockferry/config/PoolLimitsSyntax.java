package io.blockferry.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code blockferry.queue.pool-limits}: pool=count pairs ({@code volumes=8,vms=4}), the one pairs
 * syntax of the configuration. The pool:count form of earlier releases is still read, with a warning.
 */
public final class PoolLimitsSyntax {

    private PoolLimitsSyntax() {
    }

    public static boolean valid(String text) {
        try {
            parse(text, warning -> { });
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static Map<String, Integer> parse(String text, Consumer<String> warnings) {
        String pairs = text;
        if (text.contains(":") && !text.contains("=")) {
            pairs = text.replace(':', '=');
            warnings.accept("blockferry.queue.pool-limits is written pool:count (" + text + "), the form of earlier "
                    + "releases; write it " + pairs + " (pool=count, like every pairs key)");
        }
        Map<String, Integer> limits = new LinkedHashMap<>();
        Pairs.parse(pairs).forEach((pool, count) -> {
            int n = Integer.parseInt(count);
            if (n < 0) {
                throw new IllegalArgumentException(count + " is negative");
            }
            limits.put(pool, n);
        });
        return limits;
    }
}
